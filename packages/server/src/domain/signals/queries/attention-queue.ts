import type { Queryable } from '../../../db/database.ts';
import type { RunState, RunStatus } from '../../runs/runs.types.ts';
import { ATTENTION_SCORES as S, ATTENTION_WEIGHTS as W } from '../signals.constants.ts';

export interface AttentionRow {
  run_id: string;
  attention_score: number;
  reasons: string[];
  state: RunState;
  status: RunStatus;
  started_at: Date | null;
  total: number;
}

/**
 * SIG-O5 (seed 001 §6): the seed's composite score with its frozen weights (interpolated
 * from signals.constants.ts, never from input). Candidates are live runs (runs_live_idx) and
 * runs finished in the last 24 hours (idx_runs_tenant_completed), combined by a BitmapOr.
 * A pending run has no started_at yet; its recency counts from when it was created.
 * Ties order by recency, then run id, so the queue is stable.
 */
export async function attentionQueue(db: Queryable, tenantId: string, now: Date, limit: number, projectId: string | null): Promise<AttentionRow[]> {
  const { rows } = await db.query<AttentionRow>(
    `WITH run_signals AS (
       SELECT id AS run_id, state, status, started_at, coalesce(started_at, created_at) AS since,
         CASE risk_level WHEN 'VIOLATED' THEN ${S.risk.VIOLATED} WHEN 'AT_RISK' THEN ${S.risk.AT_RISK}
           WHEN 'NEAR_THRESHOLD' THEN ${S.risk.NEAR_THRESHOLD} ELSE 0 END AS risk_score,
         CASE latency_bucket WHEN 'STALLED' THEN ${S.latency.STALLED} WHEN 'SLOW' THEN ${S.latency.SLOW} ELSE 0 END AS latency_score,
         CASE evidence_health WHEN 'MISSING' THEN ${S.evidence.MISSING} WHEN 'DEGRADED' THEN ${S.evidence.DEGRADED} ELSE 0 END AS evidence_score,
         CASE WHEN policy_violation THEN ${S.impact.policy_violation} WHEN incident_count > 0 THEN ${S.impact.incident} ELSE 0 END AS impact_score,
         greatest(0, 1 - extract(epoch FROM ($2::timestamptz - coalesce(started_at, created_at))) / 86400) AS recency_score
       FROM runs
       WHERE tenant_id = $1 AND (state = 'LIVE' OR completed_at >= $2::timestamptz - interval '24 hours')
         AND ($4::text IS NULL OR project_id = $4)
     )
     SELECT run_id, state, status, started_at,
       (risk_score * ${W.risk} + latency_score * ${W.latency} + evidence_score * ${W.evidence}
         + impact_score * ${W.impact} + recency_score * ${W.recency})::float8 AS attention_score,
       array_remove(ARRAY[
         CASE WHEN risk_score > 0 THEN 'risk' END, CASE WHEN latency_score > 0 THEN 'latency' END,
         CASE WHEN evidence_score > 0 THEN 'evidence' END, CASE WHEN impact_score > 0 THEN 'impact' END], NULL) AS reasons,
       count(*) OVER ()::int AS total
     FROM run_signals
     WHERE risk_score > 0 OR latency_score > 0 OR evidence_score > 0 OR impact_score > 0
     ORDER BY attention_score DESC, since DESC, run_id
     LIMIT $3`,
    [tenantId, now, limit, projectId],
  );
  return rows;
}

import type { Queryable } from '../../../db/database.ts';
import { NEAR_THRESHOLD_LEVELS } from '../signals.constants.ts';

export interface StatusSummaryFilter {
  tenantId: string;
  projectId: string | null;
  startedAfter: Date | null;
  startedBefore: Date | null;
}

/**
 * COMP-O3 (seed 001 §1): finished runs by status, and the supplemental near-threshold count
 * taken in the same pass with a FILTER instead of a second scan. Both window ends are
 * inclusive, as in the seed. idx_runs_tenant_state_started carries status, risk_level and
 * project_id, so this is an index-only range scan.
 */
export async function statusSummary(db: Queryable, f: StatusSummaryFilter) {
  const { rows } = await db.query<{ status: string; count: number; near_threshold: number }>(
    `SELECT status, count(*)::int AS count,
       (count(*) FILTER (WHERE risk_level = ANY($5::text[])))::int AS near_threshold
     FROM runs
     WHERE tenant_id = $1 AND state = 'COMPLETED'
       AND ($2::text IS NULL OR project_id = $2)
       AND ($3::timestamptz IS NULL OR started_at >= $3)
       AND ($4::timestamptz IS NULL OR started_at <= $4)
     GROUP BY status
     ORDER BY count DESC, status`,
    [f.tenantId, f.projectId, f.startedAfter, f.startedBefore, NEAR_THRESHOLD_LEVELS],
  );
  return rows;
}

/**
 * Seed 001's own SQL for each signal, run straight on the database beside the endpoint that
 * serves it: the gap between the two is what the endpoint adds (or saves).
 * Adapted only in names: v_runs_o2 and aos_traces are `runs` (its key is `id`), and
 * aos_trace_steps is `trace_steps`, joined on (tenant_id, run_id) instead of trace_id.
 * `:name IS NULL OR …` parameters take an explicit cast, as PostgreSQL needs a type for them.
 */

export interface Statement {
  sql: string;
  params: unknown[];
}

export interface SignalSql {
  /** What the seed names it. */
  name: string;
  /** Run one after the other; timed together. */
  statements: Statement[];
}

export interface SqlContext {
  tenantId: string;
  now: number;
}

const HOUR = 3_600_000;
const ago = (ctx: SqlContext, hours: number) => new Date(ctx.now - hours * HOUR).toISOString();

/** COMP-O3: status counts of completed runs, and the near-threshold count. */
export function summaryByStatus(ctx: SqlContext, startedAfter: string): SignalSql {
  const params = [ctx.tenantId, null, startedAfter, null];
  return {
    name: 'COMP-O3',
    statements: [
      {
        sql: `SELECT status, COUNT(*) AS count
FROM runs
WHERE tenant_id = $1
  AND state = 'COMPLETED'
  AND ($2::text IS NULL OR project_id = $2)
  AND ($3::timestamptz IS NULL OR started_at >= $3)
  AND ($4::timestamptz IS NULL OR started_at <= $4)
GROUP BY status
ORDER BY count DESC`,
        params,
      },
      {
        sql: `SELECT COUNT(*) AS near_threshold_count
FROM runs
WHERE tenant_id = $1
  AND state = 'COMPLETED'
  AND risk_level IN ('NEAR_THRESHOLD', 'AT_RISK')
  AND ($2::text IS NULL OR project_id = $2)
  AND ($3::timestamptz IS NULL OR started_at >= $3)
  AND ($4::timestamptz IS NULL OR started_at <= $4)`,
        params,
      },
    ],
  };
}

/** LIVE-O5: counts by an allowlisted dimension (the seed reads agent_id from runs too). */
export function runsByDimension(ctx: SqlContext, dim: 'provider_type' | 'source' | 'agent_id', state: 'LIVE' | 'COMPLETED'): SignalSql {
  const key = dim === 'agent_id' ? `COALESCE(agent_id, 'unknown')` : dim;
  return {
    name: 'LIVE-O5',
    statements: [{
      sql: `SELECT ${key} AS dimension_key, COUNT(*) AS count
FROM runs
WHERE tenant_id = $1
  AND state = $2
  AND ($3::text IS NULL OR project_id = $3)
GROUP BY ${dim}
ORDER BY count DESC
LIMIT 20`,
      params: [ctx.tenantId, state, null],
    }],
  };
}

/** SIG-O2: the list_runs query with the risk filter; Runlog's GET /runs pages by (created_at, id), limit + 1. */
export function thresholdRuns(ctx: SqlContext, levels: string[], limit: number): SignalSql {
  return {
    name: 'SIG-O2',
    statements: [{
      sql: `SELECT * FROM runs
WHERE tenant_id = $1
  AND risk_level = ANY($2::text[])
ORDER BY created_at DESC, id DESC
LIMIT $3`,
      params: [ctx.tenantId, levels, limit + 1],
    }],
  };
}

/** SIG-O3: the seed's four pattern queries (its oscillation query tests consecutive repeats, as written). */
export function patterns(ctx: SqlContext, windowHours: number, slowThresholdMs = 5000): SignalSql {
  const windowStart = ago(ctx, windowHours);
  return {
    name: 'SIG-O3',
    statements: [
      {
        sql: `SELECT t.id AS run_id, 'retry_loop' AS pattern_type, COUNT(*) AS retry_count, MAX(s.retry_count) AS max_step_retries
FROM runs t
JOIN trace_steps s ON s.tenant_id = t.tenant_id AND s.run_id = t.id
WHERE t.tenant_id = $1
  AND t.started_at >= $2
  AND s.retry_count > 0
GROUP BY t.id
HAVING SUM(s.retry_count) >= 3
ORDER BY retry_count DESC
LIMIT 10`,
        params: [ctx.tenantId, windowStart],
      },
      {
        sql: `WITH step_sequences AS (
  SELECT run_id, skill_id, step_index,
         LAG(skill_id) OVER (PARTITION BY run_id ORDER BY step_index) AS prev_skill
  FROM trace_steps
  WHERE tenant_id = $1
    AND run_id IN (SELECT id FROM runs WHERE tenant_id = $1 AND started_at >= $2)
)
SELECT t.id AS run_id, 'step_oscillation' AS pattern_type, ss.skill_id, COUNT(*) AS oscillation_count
FROM step_sequences ss
JOIN runs t ON t.tenant_id = $1 AND t.id = ss.run_id
WHERE ss.skill_id = ss.prev_skill
GROUP BY t.id, ss.skill_id
HAVING COUNT(*) >= 3
ORDER BY oscillation_count DESC
LIMIT 10`,
        params: [ctx.tenantId, windowStart],
      },
      {
        sql: `WITH windowed_skills AS (
  SELECT run_id, skill_id, step_index,
         COUNT(*) OVER (
           PARTITION BY run_id, skill_id
           ORDER BY step_index
           ROWS BETWEEN 4 PRECEDING AND CURRENT ROW
         ) AS recent_calls
  FROM trace_steps
  WHERE tenant_id = $1
    AND run_id IN (SELECT id FROM runs WHERE tenant_id = $1 AND started_at >= $2)
)
SELECT t.id AS run_id, 'tool_call_loop' AS pattern_type, ws.skill_id, MAX(ws.recent_calls) AS loop_depth
FROM windowed_skills ws
JOIN runs t ON t.tenant_id = $1 AND t.id = ws.run_id
WHERE ws.recent_calls >= 3
GROUP BY t.id, ws.skill_id
ORDER BY loop_depth DESC
LIMIT 10`,
        params: [ctx.tenantId, windowStart],
      },
      {
        sql: `SELECT t.id AS run_id, 'timeout_cascade' AS pattern_type, COUNT(*) AS slow_step_count, AVG(s.duration_ms) AS avg_duration_ms
FROM runs t
JOIN trace_steps s ON s.tenant_id = t.tenant_id AND s.run_id = t.id
WHERE t.tenant_id = $1
  AND t.started_at >= $2
  AND s.duration_ms > $3
GROUP BY t.id
HAVING COUNT(*) >= 2
ORDER BY slow_step_count DESC
LIMIT 10`,
        params: [ctx.tenantId, windowStart, slowThresholdMs],
      },
    ],
  };
}

/** SIG-O4: per-agent cost today against its 7-day baseline (z-score > 2 or above p95). */
export function costAnalysis(ctx: SqlContext): SignalSql {
  return {
    name: 'SIG-O4',
    statements: [{
      sql: `WITH baseline AS (
  SELECT COALESCE(agent_id, 'unknown') AS agent_id,
         AVG(estimated_cost_usd) AS avg_cost,
         STDDEV(estimated_cost_usd) AS stddev_cost,
         PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY estimated_cost_usd) AS p95_cost,
         COUNT(*) AS run_count
  FROM runs
  WHERE tenant_id = $1
    AND completed_at >= NOW() - INTERVAL '7 days'
    AND completed_at < NOW() - INTERVAL '1 day'
    AND estimated_cost_usd IS NOT NULL
  GROUP BY agent_id
),
current_window AS (
  SELECT COALESCE(agent_id, 'unknown') AS agent_id,
         AVG(estimated_cost_usd) AS current_avg_cost,
         SUM(estimated_cost_usd) AS total_cost,
         COUNT(*) AS run_count
  FROM runs
  WHERE tenant_id = $1
    AND started_at >= NOW() - INTERVAL '1 day'
    AND estimated_cost_usd IS NOT NULL
  GROUP BY agent_id
)
SELECT c.agent_id, c.current_avg_cost, c.total_cost, c.run_count,
       b.avg_cost AS baseline_avg, b.p95_cost AS baseline_p95,
       CASE WHEN b.stddev_cost > 0 THEN (c.current_avg_cost - b.avg_cost) / b.stddev_cost ELSE 0 END AS z_score,
       CASE
         WHEN b.stddev_cost > 0 AND (c.current_avg_cost - b.avg_cost) / b.stddev_cost > 2 THEN true
         WHEN c.current_avg_cost > b.p95_cost THEN true
         ELSE false
       END AS is_anomaly
FROM current_window c
LEFT JOIN baseline b ON b.agent_id = c.agent_id
ORDER BY z_score DESC`,
      params: [ctx.tenantId],
    }],
  };
}

/** SIG-O5: live or last-24h runs scored with the seed's frozen weights. */
export function attentionQueue(ctx: SqlContext, limit: number): SignalSql {
  return {
    name: 'SIG-O5',
    statements: [{
      sql: `WITH run_signals AS (
  SELECT id AS run_id, tenant_id,
         CASE risk_level WHEN 'VIOLATED' THEN 1.0 WHEN 'AT_RISK' THEN 0.8 WHEN 'NEAR_THRESHOLD' THEN 0.5 ELSE 0.0 END AS risk_score,
         CASE latency_bucket WHEN 'STALLED' THEN 1.0 WHEN 'SLOW' THEN 0.5 ELSE 0.0 END AS latency_score,
         CASE evidence_health WHEN 'MISSING' THEN 1.0 WHEN 'DEGRADED' THEN 0.5 ELSE 0.0 END AS evidence_score,
         CASE WHEN policy_violation THEN 0.8 WHEN incident_count > 0 THEN 0.6 ELSE 0.0 END AS impact_score,
         GREATEST(0, 1 - EXTRACT(EPOCH FROM (NOW() - started_at)) / 86400) AS recency_score,
         state, status, started_at
  FROM runs
  WHERE tenant_id = $1
    AND (state = 'LIVE' OR completed_at >= NOW() - INTERVAL '24 hours')
)
SELECT run_id,
       (risk_score * 0.35 + latency_score * 0.15 + evidence_score * 0.10 + impact_score * 0.25 + recency_score * 0.15) AS attention_score,
       ARRAY_REMOVE(ARRAY[
         CASE WHEN risk_score > 0 THEN 'risk' END,
         CASE WHEN latency_score > 0 THEN 'latency' END,
         CASE WHEN evidence_score > 0 THEN 'evidence' END,
         CASE WHEN impact_score > 0 THEN 'impact' END
       ], NULL) AS reasons,
       state, status, started_at
FROM run_signals
WHERE (risk_score > 0 OR latency_score > 0 OR evidence_score > 0 OR impact_score > 0)
ORDER BY attention_score DESC
LIMIT $2`,
      params: [ctx.tenantId, limit],
    }],
  };
}

import type { Queryable } from '../../../db/database.ts';
import { COST_Z_THRESHOLD } from '../signals.constants.ts';

export interface CostAgentRow {
  agent_id: string;
  current_avg_cost: number;
  total_cost: number;
  run_count: number;
  baseline_avg: number | null;
  baseline_stddev: number | null;
  baseline_p95: number | null;
  baseline_run_count: number;
  z_score: number | null;
  is_anomaly: boolean;
}

/**
 * SIG-O4 (seed 001 §5) as the seed writes it: a per-agent baseline over completed runs of
 * the 7 days before the last one, against the runs started in the last day. Two changes:
 * an agent without a baseline keeps z_score NULL (the seed's 0 would read as "normal"),
 * and `$2` is the clock, so tests and the benchmark can pin it. STDDEV is the sample
 * deviation; with stddev 0 or NULL only the p95 rule can flag an anomaly.
 * Both CTEs range-scan idx_runs_tenant_agent_cost's sibling indexes on completed_at and
 * started_at, which carry agent_id and the cost.
 */
export async function costByAgent(db: Queryable, tenantId: string, now: Date, projectId: string | null): Promise<CostAgentRow[]> {
  const { rows } = await db.query<CostAgentRow>(
    `WITH baseline AS (
       SELECT coalesce(agent_id, 'unknown') AS agent_id, avg(estimated_cost_usd)::float8 AS avg_cost,
         stddev(estimated_cost_usd)::float8 AS stddev_cost,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY estimated_cost_usd)::float8 AS p95_cost, count(*)::int AS run_count
       FROM runs
       WHERE tenant_id = $1 AND completed_at >= $2::timestamptz - interval '7 days'
         AND completed_at < $2::timestamptz - interval '1 day' AND estimated_cost_usd IS NOT NULL
         AND ($3::text IS NULL OR project_id = $3)
       GROUP BY coalesce(agent_id, 'unknown')
     ), current_window AS (
       SELECT coalesce(agent_id, 'unknown') AS agent_id, avg(estimated_cost_usd)::float8 AS current_avg_cost,
         sum(estimated_cost_usd)::float8 AS total_cost, count(*)::int AS run_count
       FROM runs
       WHERE tenant_id = $1 AND started_at >= $2::timestamptz - interval '1 day' AND estimated_cost_usd IS NOT NULL
         AND ($3::text IS NULL OR project_id = $3)
       GROUP BY coalesce(agent_id, 'unknown')
     ), scored AS (
       SELECT c.*, b.avg_cost AS baseline_avg, b.stddev_cost AS baseline_stddev, b.p95_cost AS baseline_p95,
         coalesce(b.run_count, 0) AS baseline_run_count,
         CASE WHEN b.agent_id IS NULL THEN NULL
              WHEN b.stddev_cost > 0 THEN (c.current_avg_cost - b.avg_cost) / b.stddev_cost ELSE 0 END AS z_score
       FROM current_window c LEFT JOIN baseline b ON b.agent_id = c.agent_id
     )
     SELECT *, coalesce(z_score > ${COST_Z_THRESHOLD} OR current_avg_cost > baseline_p95, false) AS is_anomaly
     FROM scored
     ORDER BY z_score DESC NULLS LAST, agent_id`,
    [tenantId, now, projectId],
  );
  return rows;
}

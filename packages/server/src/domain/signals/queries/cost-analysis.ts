import type { Queryable } from '../../../db/database.ts';

export interface CostBaselineRow {
  agent_id: string;
  avg_cost: number;
  stddev_cost: number | null;
  p95_cost: number;
  run_count: number;
}

export interface CostCurrentRow {
  agent_id: string;
  current_avg_cost: number;
  total_cost: number;
  run_count: number;
}

/**
 * SIG-O4 step 1 (seed 001 §5): per agent, the mean, sample deviation and p95 cost of the
 * runs completed between 7 days and 1 day before `now`. An index-only range scan of
 * idx_runs_tenant_agent_cost (completed_at, carrying agent_id and cost); the percentiles sort
 * every row of the window, which is why the service keeps the answer for a minute.
 */
export async function costBaseline(db: Queryable, tenantId: string, now: Date, projectId: string | null): Promise<CostBaselineRow[]> {
  const { rows } = await db.query<CostBaselineRow>(
    `SELECT coalesce(agent_id, 'unknown') AS agent_id, avg(estimated_cost_usd)::float8 AS avg_cost,
       stddev(estimated_cost_usd)::float8 AS stddev_cost,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY estimated_cost_usd)::float8 AS p95_cost, count(*)::int AS run_count
     FROM runs
     WHERE tenant_id = $1 AND completed_at >= $2::timestamptz - interval '7 days'
       AND completed_at < $2::timestamptz - interval '1 day' AND estimated_cost_usd IS NOT NULL
       AND ($3::text IS NULL OR project_id = $3)
     GROUP BY coalesce(agent_id, 'unknown')`,
    [tenantId, now, projectId],
  );
  return rows;
}

/** SIG-O4 step 2: per agent, the runs started in the last day (idx_runs_tenant_started, index-only). */
export async function costCurrent(db: Queryable, tenantId: string, now: Date, projectId: string | null): Promise<CostCurrentRow[]> {
  const { rows } = await db.query<CostCurrentRow>(
    `SELECT coalesce(agent_id, 'unknown') AS agent_id, avg(estimated_cost_usd)::float8 AS current_avg_cost,
       sum(estimated_cost_usd)::float8 AS total_cost, count(*)::int AS run_count
     FROM runs
     WHERE tenant_id = $1 AND started_at >= $2::timestamptz - interval '1 day' AND estimated_cost_usd IS NOT NULL
       AND ($3::text IS NULL OR project_id = $3)
     GROUP BY coalesce(agent_id, 'unknown')`,
    [tenantId, now, projectId],
  );
  return rows;
}

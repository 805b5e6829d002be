import type { Queryable } from '../../../db/database.ts';
import { DIMENSION_BUCKETS, type Dimension } from '../signals.constants.ts';

/**
 * LIVE-O5 (seed 001 §2): the top buckets of one dimension for live or finished runs, and the
 * count of all runs in that state (total_runs counts every bucket, not only the top 20).
 * Read from the run_dimension_counts rollup (run_dimension_counts in 0013_schema.sql), which every write to runs keeps
 * exact; one range of its index per request, whatever the tenant's size. The dimension is a
 * bound parameter (the service checks it against the seed's allowlist for the 400).
 */
export async function runsByDimension(db: Queryable, tenantId: string, dim: Dimension, state: string, projectId: string | null) {
  const { rows } = await db.query<{ key: string; count: number; total: number }>(
    `SELECT key, sum(delta)::int AS count, (sum(sum(delta)) OVER ())::int AS total
     FROM run_dimension_counts
     WHERE tenant_id = $1 AND dim = $2 AND state = $3 AND ($4::text IS NULL OR project_id = $4)
     GROUP BY key
     HAVING sum(delta) <> 0
     ORDER BY count DESC, key
     LIMIT ${DIMENSION_BUCKETS}`,
    [tenantId, dim, state, projectId],
  );
  return { buckets: rows.map(({ key, count }) => ({ key, count })), total: rows[0]?.total ?? 0 };
}

/**
 * Folds the rollup's deltas into one row per (tenant, project, state, dimension, key); run by
 * the minute job. Rows committed meanwhile are not seen by the DELETE and stay for the next fold.
 */
export async function foldDimensionCounts(db: Queryable): Promise<void> {
  await db.query(
    `WITH gone AS (DELETE FROM run_dimension_counts RETURNING *)
     INSERT INTO run_dimension_counts (tenant_id, project_id, state, dim, key, delta)
     SELECT tenant_id, project_id, state, dim, key, sum(delta) FROM gone
     GROUP BY 1, 2, 3, 4, 5 HAVING sum(delta) <> 0`,
  );
}

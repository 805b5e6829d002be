import type { Queryable } from '../../../db/database.ts';
import { DIMENSION_BUCKETS, DIMENSIONS, type Dimension } from '../signals.constants.ts';

/** Columns by dimension; the only identifiers ever interpolated here (seed 001 §2's allowlist). */
const COLUMNS: Record<Dimension, string> = { provider_type: 'provider_type', source: 'source', agent_id: 'agent_id' };

/**
 * LIVE-O5 (seed 001 §2): the top buckets of one dimension for live or finished runs, and
 * the count of all runs in that state (total_runs counts every bucket, not only the top 20).
 * Each dimension has its index (tenant_id, state, <column>) INCLUDE (project_id), read
 * index-only. NULL groups are reported as "unknown", as the seed does for agent_id.
 */
export async function runsByDimension(db: Queryable, tenantId: string, dim: Dimension, state: string, projectId: string | null) {
  if (!DIMENSIONS.includes(dim)) throw new Error(`dimension ${dim} is not allowed`);
  const column = COLUMNS[dim];
  const { rows } = await db.query<{ key: string; count: number; total: number }>(
    `SELECT coalesce(${column}, 'unknown') AS key, count(*)::int AS count, (sum(count(*)) OVER ())::int AS total
     FROM runs
     WHERE tenant_id = $1 AND state = $2 AND ($3::text IS NULL OR project_id = $3)
     GROUP BY coalesce(${column}, 'unknown')
     ORDER BY count DESC, key
     LIMIT ${DIMENSION_BUCKETS}`,
    [tenantId, state, projectId],
  );
  return { buckets: rows.map(({ key, count }) => ({ key, count })), total: rows[0]?.total ?? 0 };
}

import type { Queryable } from '../../db/database.ts';

export interface RetentionRule {
  tenant_id: string;
  project_id: string;
  retention_days: number;
}

export type PrunedTable = 'runs' | 'trace_steps' | 'activities';

/** Projects that keep their data a limited time (all tenants, or one). */
export async function retentionRules(db: Queryable, tenantId: string | null): Promise<RetentionRule[]> {
  const { rows } = await db.query<RetentionRule>(
    `SELECT tenant_id, id AS project_id, retention_days FROM projects
     WHERE retention_days IS NOT NULL AND ($1::uuid IS NULL OR tenant_id = $1) ORDER BY tenant_id, id`,
    [tenantId],
  );
  return rows;
}

/**
 * Locks the oldest expired finished runs of a project (runs_project_completed_idx, migration
 * 0016). SKIP LOCKED: a run being written right now waits for the next pass instead of
 * holding this batch.
 */
export async function lockExpiredRuns(tx: Queryable, rule: RetentionRule, cutoff: Date, limit: number) {
  const { rows } = await tx.query<{ id: string; work_unit_id: string | null }>(
    `SELECT id, work_unit_id FROM runs
     WHERE tenant_id = $1 AND project_id = $2 AND state = 'COMPLETED' AND completed_at < $3
     ORDER BY completed_at LIMIT $4 FOR UPDATE SKIP LOCKED`,
    [rule.tenant_id, rule.project_id, cutoff, limit],
  );
  return rows;
}

export async function deleteSteps(tx: Queryable, tenantId: string, runIds: string[]): Promise<number> {
  const { rowCount } = await tx.query(`DELETE FROM trace_steps WHERE tenant_id = $1 AND run_id = ANY($2::text[])`, [tenantId, runIds]);
  return rowCount;
}

/** The runs' statement trigger takes their counts out of run_dimension_counts (migration 0010). */
export async function deleteRuns(tx: Queryable, tenantId: string, runIds: string[]): Promise<number> {
  const { rowCount } = await tx.query(`DELETE FROM runs WHERE tenant_id = $1 AND id = ANY($2::text[])`, [tenantId, runIds]);
  return rowCount;
}

/** One batch of a project's activities older than the cutoff (activities_project_occurred_idx). */
export async function deleteExpiredActivities(tx: Queryable, rule: RetentionRule, cutoff: Date, limit: number): Promise<number> {
  const { rowCount } = await tx.query(
    `DELETE FROM activities WHERE tenant_id = $1 AND id IN (
       SELECT id FROM activities WHERE tenant_id = $1 AND project_id = $2 AND occurred_at < $3 LIMIT $4)`,
    [rule.tenant_id, rule.project_id, cutoff, limit],
  );
  return rowCount;
}

/** Adds to the tenant's totals in the deleting transaction, so they match what was deleted. */
export async function recordPruned(tx: Queryable, tenantId: string, counts: Partial<Record<PrunedTable, number>>): Promise<void> {
  const entries = Object.entries(counts).filter(([, n]) => (n ?? 0) > 0);
  if (entries.length === 0) return;
  await tx.query(
    `INSERT INTO retention_pruned AS p (tenant_id, table_name, rows)
     SELECT $1, t, n FROM unnest($2::text[], $3::bigint[]) AS u(t, n)
     ON CONFLICT (tenant_id, table_name) DO UPDATE SET rows = p.rows + EXCLUDED.rows, last_at = now()`,
    [tenantId, entries.map(([t]) => t), entries.map(([, n]) => n)],
  );
}

/** Rows pruned so far by table, over every tenant (/metrics). */
export async function prunedTotals(db: Queryable): Promise<{ table_name: PrunedTable; rows: number }[]> {
  const { rows } = await db.query<{ table_name: PrunedTable; rows: number }>(
    `SELECT table_name, sum(rows)::bigint AS rows FROM retention_pruned GROUP BY table_name`,
  );
  return rows;
}

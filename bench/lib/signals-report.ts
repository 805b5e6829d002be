import type { Database } from '../../packages/server/src/db/database.ts';
import { fmtInt } from './common.ts';

/** What the figures were measured on: row counts, the big tenant's mix, table and index sizes. */

function mb(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GB` : `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

function pct(part: number, whole: number): string {
  return `${((100 * part) / Math.max(1, whole)).toFixed(2)}%`;
}

async function counts(db: Database): Promise<void> {
  const { rows } = await db.query<Record<string, number>>(
    `SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM trace_steps) AS steps,
            (SELECT count(*) FROM tenants) AS tenants, (SELECT count(*) FROM work_units) AS work_units,
            (SELECT count(*) FROM projects) AS projects`,
  );
  const r = rows[0]!;
  console.log(`  rows: runs ${fmtInt(r.runs!)}, trace_steps ${fmtInt(r.steps!)}, tenants ${r.tenants}, work_units ${r.work_units}, projects ${r.projects}`);
}

async function bigTenant(db: Database, tenantId: string): Promise<void> {
  const { rows } = await db.query<Record<string, number>>(
    `SELECT count(*) AS runs,
            count(*) FILTER (WHERE state = 'LIVE') AS live,
            count(*) FILTER (WHERE latency_bucket = 'STALLED') AS stalled,
            count(*) FILTER (WHERE status = 'failed') AS failed,
            count(*) FILTER (WHERE risk_level = 'NEAR_THRESHOLD') AS near,
            count(*) FILTER (WHERE risk_level = 'AT_RISK') AS at_risk,
            count(*) FILTER (WHERE risk_level = 'VIOLATED') AS violated,
            count(*) FILTER (WHERE estimated_cost_usd IS NULL AND state = 'COMPLETED') AS cost_null,
            count(*) FILTER (WHERE started_at >= now() - interval '24 hours') AS last_day,
            count(DISTINCT agent_id) AS agents
     FROM runs WHERE tenant_id = $1`,
    [tenantId],
  );
  const b = rows[0]!;
  const n = b.runs!;
  console.log(`  big tenant: ${fmtInt(n)} runs (${b.agents} agents, ${fmtInt(b.last_day!)} started in the last 24 h), live ${fmtInt(b.live!)} (${fmtInt(b.stalled!)} stalled), failed ${pct(b.failed!, n)}, `
    + `NEAR_THRESHOLD ${pct(b.near!, n)}, AT_RISK ${pct(b.at_risk!, n)}, VIOLATED ${pct(b.violated!, n)}, cost NULL ${pct(b.cost_null!, n)} of completed`);
}

async function sizes(db: Database): Promise<void> {
  const { rows: tables } = await db.query<{ name: string; heap: number; indexes: number; total: number }>(
    `SELECT c.relname AS name, pg_relation_size(c.oid) AS heap, pg_indexes_size(c.oid) AS indexes, pg_total_relation_size(c.oid) AS total
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relname IN ('runs', 'trace_steps') ORDER BY c.relname`,
  );
  const { rows: indexes } = await db.query<{ tbl: string; name: string; size: number }>(
    `SELECT c.relname AS tbl, i.relname AS name, pg_relation_size(i.oid) AS size
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relname IN ('runs', 'trace_steps') ORDER BY c.relname, i.relname`,
  );
  for (const t of tables) {
    const own = indexes.filter((i) => i.tbl === t.name).map((i) => `${i.name} ${mb(i.size)}`).join(', ');
    console.log(`  ${t.name}: table ${mb(t.heap)}, indexes ${mb(t.indexes)}, total ${mb(t.total)} (${own})`);
  }
}

export async function describeDataset(db: Database, bigTenantId: string): Promise<void> {
  await counts(db);
  await bigTenant(db, bigTenantId);
  await sizes(db);
}

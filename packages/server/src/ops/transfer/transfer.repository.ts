import type { Queryable } from '../../db/database.ts';
import { renderOf } from '../../domain/activities/activity-columns.ts';

/**
 * The SQL of `runlog export` / `runlog import`. Rows travel as their own JSON (to_jsonb of the
 * row, without tenant_id), so every column goes across, derived fields and pattern evidence
 * included, and numbers and times keep PostgreSQL's own text. Import reads them back with
 * jsonb_populate_recordset into the same table type.
 */

/** What goes into a file, in the order an import must write it (foreign keys first). */
export const TABLES = Object.freeze([
  'users', 'projects', 'work_units', 'model_prices', 'workspaces', 'workspace_members', 'workspace_work_units',
  'runs', 'trace_steps', 'activities',
] as const);
export type Table = (typeof TABLES)[number];

export interface ExportFilter {
  tenantId: string;
  since: Date | null;
  until: Date | null;
  projectId: string | null;
}

export const PAGE_SIZE = 1_000;

const RUN_FILTER = `($3::timestamptz IS NULL OR coalesce(r.started_at, r.created_at) >= $3)
  AND ($4::timestamptz IS NULL OR coalesce(r.started_at, r.created_at) < $4) AND ($5::text IS NULL OR r.project_id = $5)`;

/**
 * One page per table, in key order after the cursor ($2, a JSON array of the last row's key).
 * Each statement answers the row's JSON text and its key.
 */
const PAGES: Record<Table, string> = {
  users: `SELECT (to_jsonb(t) - 'tenant_id')::text AS row, jsonb_build_array(t.id) AS key FROM users t
    WHERE t.tenant_id = $1 AND ($2::jsonb IS NULL OR t.id > ($2->>0)::uuid) ORDER BY t.id LIMIT ${PAGE_SIZE}`,
  projects: `SELECT (to_jsonb(t) - 'tenant_id')::text AS row, jsonb_build_array(t.id) AS key FROM projects t
    WHERE t.tenant_id = $1 AND ($2::jsonb IS NULL OR t.id > $2->>0) AND ($3::text IS NULL OR t.id = $3)
    ORDER BY t.id LIMIT ${PAGE_SIZE}`,
  work_units: `SELECT (to_jsonb(t) - 'tenant_id')::text AS row, jsonb_build_array(t.id) AS key FROM work_units t
    WHERE t.tenant_id = $1 AND ($2::jsonb IS NULL OR t.id > $2->>0) ORDER BY t.id LIMIT ${PAGE_SIZE}`,
  model_prices: `SELECT (to_jsonb(t) - 'tenant_id' - 'id')::text AS row, jsonb_build_array(t.id) AS key FROM model_prices t
    WHERE t.tenant_id = $1 AND ($2::jsonb IS NULL OR t.id > ($2->>0)::bigint) ORDER BY t.id LIMIT ${PAGE_SIZE}`,
  workspaces: `SELECT (to_jsonb(t) - 'tenant_id')::text AS row, jsonb_build_array(t.id) AS key FROM workspaces t
    WHERE t.tenant_id = $1 AND ($2::jsonb IS NULL OR t.id > ($2->>0)::uuid) ORDER BY t.id LIMIT ${PAGE_SIZE}`,
  workspace_members: `SELECT (to_jsonb(t) - 'tenant_id')::text AS row, jsonb_build_array(t.workspace_id, t.user_id) AS key FROM workspace_members t
    WHERE t.tenant_id = $1 AND ($2::jsonb IS NULL OR (t.workspace_id, t.user_id) > (($2->>0)::uuid, ($2->>1)::uuid))
    ORDER BY t.workspace_id, t.user_id LIMIT ${PAGE_SIZE}`,
  workspace_work_units: `SELECT (to_jsonb(t) - 'tenant_id')::text AS row, jsonb_build_array(t.workspace_id, t.work_unit_id) AS key FROM workspace_work_units t
    WHERE t.tenant_id = $1 AND ($2::jsonb IS NULL OR (t.workspace_id, t.work_unit_id) > (($2->>0)::uuid, $2->>1))
    ORDER BY t.workspace_id, t.work_unit_id LIMIT ${PAGE_SIZE}`,
  runs: `SELECT (to_jsonb(r) - 'tenant_id')::text AS row, jsonb_build_array(r.id) AS key FROM runs r
    WHERE r.tenant_id = $1 AND ($2::jsonb IS NULL OR r.id > $2->>0) AND ${RUN_FILTER} ORDER BY r.id LIMIT ${PAGE_SIZE}`,
  trace_steps: `SELECT (to_jsonb(s) - 'tenant_id')::text AS row, jsonb_build_array(s.run_id, s.step_index) AS key
    FROM trace_steps s JOIN runs r ON r.tenant_id = s.tenant_id AND r.id = s.run_id
    WHERE s.tenant_id = $1 AND ($2::jsonb IS NULL OR (s.run_id, s.step_index) > ($2->>0, ($2->>1)::int)) AND ${RUN_FILTER}
    ORDER BY s.run_id, s.step_index LIMIT ${PAGE_SIZE}`,
  // A render stored by reference is written out whole: the import stores it on the row.
  activities: `SELECT (to_jsonb(t) - 'tenant_id' - 'render_analyzer' - 'render_fingerprint'
      || jsonb_build_object('schema_render', ${renderOf('t')}))::text AS row, jsonb_build_array(t.seq) AS key FROM activities t
    WHERE t.tenant_id = $1 AND ($2::jsonb IS NULL OR t.seq > ($2->>0)::bigint)
      AND ($3::timestamptz IS NULL OR t.occurred_at >= $3) AND ($4::timestamptz IS NULL OR t.occurred_at < $4)
      AND ($5::text IS NULL OR t.project_id = $5)
    ORDER BY t.seq LIMIT ${PAGE_SIZE}`,
};

/** Runs, their steps and activities follow the time and project filters; projects the project; the rest go whole. */
export async function exportPage(db: Queryable, table: Table, f: ExportFilter, after: unknown[] | null) {
  const base = [f.tenantId, after === null ? null : JSON.stringify(after)];
  const params = table === 'runs' || table === 'trace_steps' || table === 'activities'
    ? [...base, f.since, f.until, f.projectId]
    : table === 'projects' ? [...base, f.projectId] : base;
  const { rows } = await db.query<{ row: string; key: unknown[] }>(PAGES[table], params);
  return rows;
}

/** Plain inserts: a row already there (same key, or the same email / price version) is skipped. */
const INSERTS: Record<Exclude<Table, 'activities'>, string> = {
  users: `INSERT INTO users SELECT * FROM jsonb_populate_recordset(NULL::users, $1::jsonb) ON CONFLICT DO NOTHING`,
  projects: `INSERT INTO projects SELECT * FROM jsonb_populate_recordset(NULL::projects, $1::jsonb) ON CONFLICT DO NOTHING`,
  work_units: `INSERT INTO work_units SELECT * FROM jsonb_populate_recordset(NULL::work_units, $1::jsonb) ON CONFLICT DO NOTHING`,
  model_prices: `INSERT INTO model_prices (tenant_id, provider, model_pattern, input_per_mtok, output_per_mtok, cache_read_per_mtok,
      cache_write_per_mtok, reasoning_per_mtok, effective_from, created_at)
    SELECT tenant_id, provider, model_pattern, input_per_mtok, output_per_mtok, cache_read_per_mtok,
      cache_write_per_mtok, reasoning_per_mtok, effective_from, created_at
    FROM jsonb_populate_recordset(NULL::model_prices, $1::jsonb) ON CONFLICT DO NOTHING`,
  workspaces: `INSERT INTO workspaces SELECT * FROM jsonb_populate_recordset(NULL::workspaces, $1::jsonb) ON CONFLICT DO NOTHING`,
  workspace_members: `INSERT INTO workspace_members SELECT * FROM jsonb_populate_recordset(NULL::workspace_members, $1::jsonb) ON CONFLICT DO NOTHING`,
  workspace_work_units: `INSERT INTO workspace_work_units SELECT * FROM jsonb_populate_recordset(NULL::workspace_work_units, $1::jsonb) ON CONFLICT DO NOTHING`,
  // The runs trigger counts them into run_dimension_counts as for any insert.
  runs: `INSERT INTO runs SELECT * FROM jsonb_populate_recordset(NULL::runs, $1::jsonb) ON CONFLICT DO NOTHING`,
  trace_steps: `INSERT INTO trace_steps SELECT * FROM jsonb_populate_recordset(NULL::trace_steps, $1::jsonb) ON CONFLICT DO NOTHING`,
};

export async function insertRows(tx: Queryable, table: Exclude<Table, 'activities'>, rows: object[]): Promise<number> {
  const { rowCount } = await tx.query(INSERTS[table], [JSON.stringify(rows)]);
  return rowCount;
}

/** Target ids of users by email (an imported user whose email exists keeps the existing id). */
export async function userIdsByEmail(tx: Queryable, tenantId: string, emails: string[]) {
  const { rows } = await tx.query<{ id: string; email: string }>(
    `SELECT id, lower(email) AS email FROM users WHERE tenant_id = $1 AND lower(email) = ANY($2::text[])`,
    [tenantId, emails.map((e) => e.toLowerCase())],
  );
  return rows;
}

export async function existingActivityIds(tx: Queryable, tenantId: string, ids: string[]): Promise<Set<string>> {
  const { rows } = await tx.query<{ id: string }>(`SELECT id FROM activities WHERE tenant_id = $1 AND id = ANY($2::text[])`, [tenantId, ids]);
  return new Set(rows.map((r) => r.id));
}

/**
 * Takes `n` seqs of the tenant's feed (the row lock orders writers, as appendActivities does);
 * returns the first. Imported activities get new seqs after the target's newest, in their
 * original order, so a feed reader of the target never sees a seq appear behind one it saw.
 */
export async function allocateSeqs(tx: Queryable, tenantId: string, n: number): Promise<number> {
  const { rows } = await tx.query<{ last_seq: number }>(
    `INSERT INTO activity_sequences AS s (tenant_id, last_seq) VALUES ($1, $2)
     ON CONFLICT (tenant_id) DO UPDATE SET last_seq = s.last_seq + EXCLUDED.last_seq RETURNING last_seq`,
    [tenantId, n],
  );
  return rows[0]!.last_seq - n + 1;
}

export async function insertActivities(tx: Queryable, rows: object[]): Promise<number> {
  const { rowCount } = await tx.query(
    `INSERT INTO activities SELECT * FROM jsonb_populate_recordset(NULL::activities, $1::jsonb) ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
  return rowCount;
}

/** Row counts of one tenant, by table (what an export → import must preserve). */
export async function tenantCounts(db: Queryable, tenantId: string): Promise<Record<Table, number>> {
  const { rows } = await db.query<Record<Table, number>>(
    `SELECT (SELECT count(*) FROM users WHERE tenant_id = $1)::int AS users,
       (SELECT count(*) FROM projects WHERE tenant_id = $1)::int AS projects,
       (SELECT count(*) FROM work_units WHERE tenant_id = $1)::int AS work_units,
       (SELECT count(*) FROM model_prices WHERE tenant_id = $1)::int AS model_prices,
       (SELECT count(*) FROM workspaces WHERE tenant_id = $1)::int AS workspaces,
       (SELECT count(*) FROM workspace_members WHERE tenant_id = $1)::int AS workspace_members,
       (SELECT count(*) FROM workspace_work_units WHERE tenant_id = $1)::int AS workspace_work_units,
       (SELECT count(*) FROM runs WHERE tenant_id = $1)::int AS runs,
       (SELECT count(*) FROM trace_steps WHERE tenant_id = $1)::int AS trace_steps,
       (SELECT count(*) FROM activities WHERE tenant_id = $1)::int AS activities`,
    [tenantId],
  );
  return rows[0]!;
}

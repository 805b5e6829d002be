import type { Queryable } from '../../db/database.ts';
import { whereBuilder } from '../../db/where.ts';
import type { RunRow } from '../runs/runs.types.ts';
import type { WorkUnitRow, WorkUnitRunRow } from './registry.types.ts';

/**
 * "Newest" for a unit's runs: when the run started, else when it was created. The same
 * expression is indexed by runs_work_unit_time_idx (0007_registry.sql); keep them identical.
 */
const RUN_TIME = 'coalesce(r.started_at, r.created_at)';

/** A unit as registered: the row without its tenant, times and derived run figures. */
export type NewWorkUnit = Pick<WorkUnitRow, 'id' | 'name' | 'version' | 'kind' | 'type' | 'author' | 'description' | 'metadata' | 'limits' | 'executor'>;

/** Null when the id is taken. */
export async function insertWorkUnit(tx: Queryable, tenantId: string, unit: NewWorkUnit): Promise<WorkUnitRow | null> {
  const { rows } = await tx.query<WorkUnitRow>(
    `INSERT INTO work_units (tenant_id, id, name, version, kind, type, author, description, metadata, limits, executor)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11::jsonb)
     ON CONFLICT (tenant_id, id) DO NOTHING
     RETURNING *`,
    [tenantId, unit.id, unit.name, unit.version, unit.kind, unit.type, unit.author, unit.description,
      JSON.stringify(unit.metadata), JSON.stringify(unit.limits), unit.executor ? JSON.stringify(unit.executor) : null],
  );
  return rows[0] ?? null;
}

export async function getWorkUnit(db: Queryable, tenantId: string, id: string): Promise<WorkUnitRow | null> {
  const { rows } = await db.query<WorkUnitRow>(`SELECT * FROM work_units WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  return rows[0] ?? null;
}

export async function lockWorkUnit(tx: Queryable, tenantId: string, id: string): Promise<WorkUnitRow | null> {
  const { rows } = await tx.query<WorkUnitRow>(`SELECT * FROM work_units WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenantId, id]);
  return rows[0] ?? null;
}

/** Columns a PATCH may set: the allowlist interpolated below (values are parameters). */
const EDITABLE = Object.freeze(['name', 'version', 'kind', 'type', 'author', 'description', 'metadata', 'limits', 'executor'] as const);
const JSON_COLUMNS: ReadonlySet<string> = new Set(['metadata', 'limits', 'executor']);
export type WorkUnitPatch = Partial<Pick<NewWorkUnit, (typeof EDITABLE)[number]>>;

export async function updateWorkUnit(tx: Queryable, tenantId: string, id: string, patch: WorkUnitPatch): Promise<WorkUnitRow> {
  const entries = EDITABLE.filter((column) => patch[column] !== undefined).map((column) => [column, patch[column]] as const);
  const sets = entries.map(([column], i) => `${column} = $${i + 3}${JSON_COLUMNS.has(column) ? '::jsonb' : ''}`);
  const values = entries.map(([column, v]) => (JSON_COLUMNS.has(column) && v !== null ? JSON.stringify(v) : v));
  const { rows } = await tx.query<WorkUnitRow>(
    `UPDATE work_units SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE tenant_id = $1 AND id = $2 RETURNING *`,
    [tenantId, id, ...values],
  );
  return rows[0]!;
}

/** Runs keep their work_unit_id; the unit's workspace links go with it (ON DELETE CASCADE). */
export async function deleteWorkUnit(db: Queryable, tenantId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM work_units WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  return rowCount > 0;
}

/** The registry by id (the primary key), with a keyset cursor on the id. */
export async function listWorkUnits(
  db: Queryable, tenantId: string, filter: { kind?: string; type?: string }, afterId: string | null, limit: number,
): Promise<WorkUnitRow[]> {
  const where = whereBuilder('tenant_id = $1', tenantId);
  if (filter.kind) where.add((p) => `kind = ${p}`, filter.kind);
  if (filter.type) where.add((p) => `type = ${p}`, filter.type);
  if (afterId !== null) where.add((p) => `id > ${p}`, afterId);
  const { rows } = await db.query<WorkUnitRow>(
    `SELECT * FROM work_units WHERE ${where.sql()} ORDER BY id LIMIT ${where.param(limit)}`,
    where.params,
  );
  return rows;
}

/**
 * Recomputes latest_run_* and total_runs of the given units from their runs. Every write that
 * creates a run or changes its status calls it in its own transaction, before appending its
 * activities (which take the tenant's seq lock last).
 *
 * The units are locked first, in id order, and the counts are read by a later statement:
 * under READ COMMITTED that statement's snapshot is taken after the lock is granted, so it
 * sees every run committed by an earlier holder of the lock. The last writer to commit
 * therefore always stores the true figures, whatever the interleaving. Count and newest both
 * come from runs_work_unit_time_idx.
 */
export async function refreshWorkUnitStats(tx: Queryable, tenantId: string, ids: readonly (string | null | undefined)[]): Promise<WorkUnitRow[]> {
  const unique = [...new Set(ids.filter((id): id is string => typeof id === 'string'))].sort();
  if (unique.length === 0) return [];
  const { rows: locked } = await tx.query<{ id: string }>(
    `SELECT id FROM work_units WHERE tenant_id = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE`,
    [tenantId, unique],
  );
  if (locked.length === 0) return [];
  const { rows } = await tx.query<WorkUnitRow>(
    `UPDATE work_units AS w SET total_runs = s.total, latest_run_id = s.run_id, latest_run_status = s.status, latest_run_at = s.at
     FROM (
       SELECT u.id,
         (SELECT count(*) FROM runs r WHERE r.tenant_id = $1 AND r.work_unit_id = u.id) AS total,
         l.run_id, l.status, l.at
       FROM unnest($2::text[]) AS u(id)
       LEFT JOIN LATERAL (
         SELECT r.id AS run_id, r.status, ${RUN_TIME} AS at FROM runs r
         WHERE r.tenant_id = $1 AND r.work_unit_id = u.id
         ORDER BY ${RUN_TIME} DESC, r.id DESC LIMIT 1
       ) AS l ON true
     ) AS s
     WHERE w.tenant_id = $1 AND w.id = s.id
     RETURNING w.*`,
    [tenantId, locked.map((row) => row.id)],
  );
  return rows;
}

/** Seed 003's run history: newest first, in the order latest_run_id is chosen by. */
export async function listWorkUnitRuns(db: Queryable, tenantId: string, id: string, limit: number, offset: number): Promise<WorkUnitRunRow[]> {
  const { rows } = await db.query<WorkUnitRunRow>(
    `SELECT r.id AS run_id, r.status, r.started_at, r.completed_at, r.duration_ms, r.error, r.created_at
     FROM runs r WHERE r.tenant_id = $1 AND r.work_unit_id = $2
     ORDER BY ${RUN_TIME} DESC, r.id DESC LIMIT $3 OFFSET $4`,
    [tenantId, id, limit, offset],
  );
  return rows;
}

export async function countWorkUnitRuns(db: Queryable, tenantId: string, id: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*) AS n FROM runs r WHERE r.tenant_id = $1 AND r.work_unit_id = $2`,
    [tenantId, id],
  );
  return rows[0]!.n;
}

/** A run recorded without a work unit joins the one a notification names. */
export async function claimRun(tx: Queryable, tenantId: string, runId: string, unit: Pick<WorkUnitRow, 'id' | 'name' | 'type'>): Promise<RunRow> {
  const { rows } = await tx.query<RunRow>(
    `UPDATE runs SET work_unit_id = $3, work_unit_name = coalesce(work_unit_name, $4),
       work_unit_type = coalesce(work_unit_type, $5), updated_at = now()
     WHERE tenant_id = $1 AND id = $2 AND work_unit_id IS NULL
     RETURNING *`,
    [tenantId, runId, unit.id, unit.name, unit.type],
  );
  return rows[0]!;
}

import type { Queryable } from '../../db/database.ts';
import { whereBuilder } from '../../db/where.ts';
import type { MemberRow, Page, WorkspaceRole, WorkspaceRow, WorkspaceWorkUnitRow } from './workspaces.types.ts';

/** A workspace with the caller's membership role; `$3` is the caller's user id (may be NULL). */
const WORKSPACE_FOR_CALLER = `SELECT w.*, m.role AS member_role
  FROM workspaces w
  LEFT JOIN workspace_members m ON m.tenant_id = w.tenant_id AND m.workspace_id = w.id AND m.user_id = $3::uuid`;

const MEMBER_COLUMNS = `m.workspace_id, m.user_id, m.role, m.constraints, m.invited_by, m.department,
  m.created_at, m.updated_at, u.email, u.name`;
const MEMBER_FROM = `workspace_members m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id`;

const UNIT_COLUMNS = `wu.workspace_id, wu.work_unit_id, wu.work_unit_type, u.name AS work_unit_name, wu.delegation_id,
  wu.constraints, wu.added_by, wu.department, wu.created_at, wu.updated_at`;
const UNIT_FROM = `workspace_work_units wu JOIN work_units u ON u.tenant_id = wu.tenant_id AND u.id = wu.work_unit_id`;

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

export async function insertWorkspace(
  tx: Queryable,
  tenantId: string,
  w: { id: string; name: string; description: string | null; department: string | null; createdBy: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO workspaces (tenant_id, id, name, description, department, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
    [tenantId, w.id, w.name, w.description, w.department, w.createdBy],
  );
}

export async function getWorkspace(db: Queryable, tenantId: string, id: string, userId: string | null): Promise<WorkspaceRow | null> {
  const { rows } = await db.query<WorkspaceRow>(`${WORKSPACE_FOR_CALLER} WHERE w.tenant_id = $1 AND w.id = $2`, [tenantId, id, userId]);
  return rows[0] ?? null;
}

/**
 * The workspace row locked for the rest of the transaction: every change to a workspace's
 * members, work units or itself takes this lock first, so the last-owner check and the
 * change it guards cannot interleave with another writer's.
 */
export async function lockWorkspace(tx: Queryable, tenantId: string, id: string, userId: string | null): Promise<WorkspaceRow | null> {
  const { rows } = await tx.query<WorkspaceRow>(
    `${WORKSPACE_FOR_CALLER} WHERE w.tenant_id = $1 AND w.id = $2 FOR UPDATE OF w`,
    [tenantId, id, userId],
  );
  return rows[0] ?? null;
}

/**
 * GET /workspaces: all of the tenant's (tenant admins) or those the caller is a member of,
 * newest first (workspaces_created_idx; the members' user index for the join).
 */
export async function listWorkspaces(
  db: Queryable,
  tenantId: string,
  q: { userId: string | null; all: boolean; department?: string } & Page,
): Promise<{ rows: WorkspaceRow[]; total: number }> {
  const from = `${WORKSPACE_FOR_CALLER}
    WHERE w.tenant_id = $1 AND ($2::boolean OR m.user_id IS NOT NULL) AND ($4::text IS NULL OR w.department = $4)`;
  const params = [tenantId, q.all, q.userId, q.department ?? null];
  const [page, count] = await Promise.all([
    db.query<WorkspaceRow>(`${from} ORDER BY w.created_at DESC, w.id LIMIT $5 OFFSET $6`, [...params, q.limit, q.offset]),
    db.query<{ n: number }>(`SELECT count(*) AS n FROM (${from}) AS visible`, params),
  ]);
  return { rows: page.rows, total: count.rows[0]!.n };
}

export async function updateWorkspace(
  tx: Queryable,
  tenantId: string,
  id: string,
  patch: { name?: string; description?: string | null; department?: string | null },
): Promise<void> {
  // Only known columns reach the SQL; values are parameters.
  const entries = (['name', 'description', 'department'] as const).filter((c) => patch[c] !== undefined);
  const sets = entries.map((column, i) => `${column} = $${i + 3}`);
  await tx.query(
    `UPDATE workspaces SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id, ...entries.map((c) => patch[c])],
  );
}

/** Members and work units go with it (ON DELETE CASCADE). */
export async function deleteWorkspace(tx: Queryable, tenantId: string, id: string): Promise<void> {
  await tx.query(`DELETE FROM workspaces WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
}

export async function userExists(db: Queryable, tenantId: string, userId: string): Promise<boolean> {
  const { rowCount } = await db.query(`SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2`, [tenantId, userId]);
  return rowCount > 0;
}

/** False when the user is already a member (the primary key). */
export async function insertMember(
  tx: Queryable,
  tenantId: string,
  m: { workspaceId: string; userId: string; role: WorkspaceRole; constraints?: unknown; invitedBy: string; department?: string | null },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO workspace_members (tenant_id, workspace_id, user_id, role, constraints, invited_by, department)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
     ON CONFLICT (tenant_id, workspace_id, user_id) DO NOTHING`,
    [tenantId, m.workspaceId, m.userId, m.role, json(m.constraints), m.invitedBy, m.department ?? null],
  );
  return rowCount > 0;
}

export async function getMember(db: Queryable, tenantId: string, workspaceId: string, userId: string): Promise<MemberRow | null> {
  const { rows } = await db.query<MemberRow>(
    `SELECT ${MEMBER_COLUMNS} FROM ${MEMBER_FROM} WHERE m.tenant_id = $1 AND m.workspace_id = $2 AND m.user_id = $3`,
    [tenantId, workspaceId, userId],
  );
  return rows[0] ?? null;
}

/** Owners first, then by when they joined (the primary key serves the workspace filter). */
export async function listMembers(db: Queryable, tenantId: string, workspaceId: string, page: Page) {
  const [list, count] = await Promise.all([
    db.query<MemberRow>(
      `SELECT ${MEMBER_COLUMNS} FROM ${MEMBER_FROM} WHERE m.tenant_id = $1 AND m.workspace_id = $2
       ORDER BY array_position(ARRAY['owner', 'admin', 'member', 'viewer'], m.role), m.created_at, m.user_id
       LIMIT $3 OFFSET $4`,
      [tenantId, workspaceId, page.limit, page.offset],
    ),
    db.query<{ n: number }>(`SELECT count(*) AS n FROM workspace_members WHERE tenant_id = $1 AND workspace_id = $2`, [tenantId, workspaceId]),
  ]);
  return { rows: list.rows, total: count.rows[0]!.n };
}

export async function updateMember(
  tx: Queryable,
  tenantId: string,
  workspaceId: string,
  userId: string,
  patch: { role?: WorkspaceRole; constraints?: unknown; department?: string | null },
): Promise<void> {
  await tx.query(
    `UPDATE workspace_members SET
       role = coalesce($4, role),
       constraints = CASE WHEN $5 THEN $6::jsonb ELSE constraints END,
       department = CASE WHEN $7 THEN $8 ELSE department END,
       updated_at = now()
     WHERE tenant_id = $1 AND workspace_id = $2 AND user_id = $3`,
    [tenantId, workspaceId, userId, patch.role ?? null, patch.constraints !== undefined, json(patch.constraints),
      patch.department !== undefined, patch.department ?? null],
  );
}

export async function deleteMember(tx: Queryable, tenantId: string, workspaceId: string, userId: string): Promise<void> {
  await tx.query(`DELETE FROM workspace_members WHERE tenant_id = $1 AND workspace_id = $2 AND user_id = $3`, [tenantId, workspaceId, userId]);
}

export async function countOwners(tx: Queryable, tenantId: string, workspaceId: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(*) AS n FROM workspace_members WHERE tenant_id = $1 AND workspace_id = $2 AND role = 'owner'`,
    [tenantId, workspaceId],
  );
  return rows[0]!.n;
}

export async function findWorkUnit(db: Queryable, tenantId: string, id: string) {
  const { rows } = await db.query<{ id: string; name: string; type: 'atomic' | 'composite' }>(
    `SELECT id, name, type FROM work_units WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id],
  );
  return rows[0] ?? null;
}

/** False when the unit is already in the workspace (the primary key). */
export async function insertWorkUnit(
  tx: Queryable,
  tenantId: string,
  u: { workspaceId: string; workUnitId: string; type: string; delegationId?: string; constraints?: unknown; addedBy: string; department?: string },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO workspace_work_units (tenant_id, workspace_id, work_unit_id, work_unit_type, delegation_id, constraints, added_by, department)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
     ON CONFLICT (tenant_id, workspace_id, work_unit_id) DO NOTHING`,
    [tenantId, u.workspaceId, u.workUnitId, u.type, u.delegationId ?? null, json(u.constraints), u.addedBy, u.department ?? null],
  );
  return rowCount > 0;
}

export async function getWorkUnit(db: Queryable, tenantId: string, workspaceId: string, workUnitId: string): Promise<WorkspaceWorkUnitRow | null> {
  const { rows } = await db.query<WorkspaceWorkUnitRow>(
    `SELECT ${UNIT_COLUMNS} FROM ${UNIT_FROM} WHERE wu.tenant_id = $1 AND wu.workspace_id = $2 AND wu.work_unit_id = $3`,
    [tenantId, workspaceId, workUnitId],
  );
  return rows[0] ?? null;
}

export async function listWorkUnits(db: Queryable, tenantId: string, workspaceId: string, q: { type?: string } & Page) {
  const where = whereBuilder('wu.tenant_id = $1', tenantId);
  where.add((p) => `wu.workspace_id = ${p}`, workspaceId);
  if (q.type !== undefined) where.add((p) => `wu.work_unit_type = ${p}`, q.type);
  const filter = where.sql();
  const filterParams = [...where.params];
  const [list, count] = await Promise.all([
    db.query<WorkspaceWorkUnitRow>(
      `SELECT ${UNIT_COLUMNS} FROM ${UNIT_FROM} WHERE ${filter}
       ORDER BY wu.created_at, wu.work_unit_id LIMIT ${where.param(q.limit)} OFFSET ${where.param(q.offset)}`,
      where.params,
    ),
    db.query<{ n: number }>(`SELECT count(*) AS n FROM workspace_work_units wu WHERE ${filter}`, filterParams),
  ]);
  return { rows: list.rows, total: count.rows[0]!.n };
}

export async function deleteWorkUnit(tx: Queryable, tenantId: string, workspaceId: string, workUnitId: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `DELETE FROM workspace_work_units WHERE tenant_id = $1 AND workspace_id = $2 AND work_unit_id = $3`,
    [tenantId, workspaceId, workUnitId],
  );
  return rowCount > 0;
}

/**
 * Whether the user holds one of `roles` in a workspace that has the work unit
 * (workspace_work_units_unit_idx finds the workspaces, the members' primary key the role).
 */
export async function userHoldsUnit(db: Queryable, tenantId: string, userId: string, workUnitId: string, roles: readonly WorkspaceRole[]) {
  const { rows } = await db.query<{ ok: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM workspace_work_units wu
       JOIN workspace_members m ON m.tenant_id = wu.tenant_id AND m.workspace_id = wu.workspace_id
       WHERE wu.tenant_id = $1 AND wu.work_unit_id = $2 AND m.user_id = $3 AND m.role = ANY($4::text[])
     ) AS ok`,
    [tenantId, workUnitId, userId, roles],
  );
  return rows[0]!.ok;
}

import type { Queryable } from '../../db/database.ts';
import type { Role, UserRow } from '../auth/auth.types.ts';

/** Never the password hash: what the users route and the CLI show. */
const COLUMNS = 'tenant_id, id, email, name, role, department, active, created_at';

export async function listUsers(db: Queryable, tenantId: string): Promise<UserRow[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE tenant_id = $1 ORDER BY created_at, id`, [tenantId]);
  return rows;
}

export async function findUserByEmail(db: Queryable, tenantId: string, email: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE tenant_id = $1 AND lower(email) = lower($2)`, [tenantId, email]);
  return rows[0] ?? null;
}

/**
 * The tenant's active owners, locked in id order: two requests demoting the last two owners
 * at once are ordered by these locks, so the second one sees it would leave none.
 */
export async function lockActiveOwners(tx: Queryable, tenantId: string): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(
    `SELECT id FROM users WHERE tenant_id = $1 AND role = 'owner' AND active ORDER BY id FOR UPDATE`,
    [tenantId],
  );
  return rows.map((r) => r.id);
}

export async function lockUser(tx: Queryable, tenantId: string, id: string): Promise<UserRow | null> {
  const { rows } = await tx.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenantId, id]);
  return rows[0] ?? null;
}

export async function updateUser(tx: Queryable, tenantId: string, id: string, patch: { role?: Role; name?: string | null; active?: boolean }): Promise<UserRow> {
  const { rows } = await tx.query<UserRow>(
    `UPDATE users SET role = coalesce($3, role), name = CASE WHEN $4 THEN $5 ELSE name END,
       active = coalesce($6, active), updated_at = now()
     WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [tenantId, id, patch.role ?? null, patch.name !== undefined, patch.name ?? null, patch.active ?? null],
  );
  return rows[0]!;
}

export async function setPasswordHash(tx: Queryable, tenantId: string, id: string, hash: string): Promise<void> {
  await tx.query(`UPDATE users SET password_hash = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2`, [tenantId, id, hash]);
}

/** Signs a user out everywhere (deactivation, a password reset). */
export async function deleteUserSessions(tx: Queryable, tenantId: string, userId: string): Promise<number> {
  const { rowCount } = await tx.query(`DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2`, [tenantId, userId]);
  return rowCount;
}

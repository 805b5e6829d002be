import type { Queryable } from '../../db/database.ts';
import type { Role } from './auth.types.ts';

export interface LoginCandidate {
  tenant_id: string;
  tenant_name: string;
  id: string;
  email: string;
  name: string | null;
  role: Role;
  password_hash: string | null;
}

/** Active users with this email, in every tenant (the caller picks one by tenant name if several). */
export async function findLoginCandidates(db: Queryable, email: string): Promise<LoginCandidate[]> {
  const { rows } = await db.query<LoginCandidate>(
    `SELECT u.tenant_id, t.name AS tenant_name, u.id, u.email, u.name, u.role, u.password_hash
     FROM users u JOIN tenants t ON t.id = u.tenant_id
     WHERE lower(u.email) = lower($1) AND u.active`,
    [email],
  );
  return rows;
}

export async function insertSession(db: Queryable, s: { tenantId: string; tokenHash: string; userId: string; expiresAt: Date }): Promise<void> {
  await db.query(
    `INSERT INTO sessions (tenant_id, token_hash, user_id, expires_at) VALUES ($1, $2, $3, $4)`,
    [s.tenantId, s.tokenHash, s.userId, s.expiresAt],
  );
}

/** A live session and its (still active) user. */
export async function findSession(db: Queryable, tokenHash: string) {
  const { rows } = await db.query<{ tenant_id: string; user_id: string; role: Role; expires_at: Date }>(
    `SELECT s.tenant_id, s.user_id, u.role, s.expires_at
     FROM sessions s JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active`,
    [tokenHash],
  );
  return rows[0] ?? null;
}

export async function deleteSession(db: Queryable, tokenHash: string): Promise<{ tenant_id: string; user_id: string } | null> {
  const { rows } = await db.query<{ tenant_id: string; user_id: string }>(`DELETE FROM sessions WHERE token_hash = $1 RETURNING tenant_id, user_id`, [tokenHash]);
  return rows[0] ?? null;
}

export async function updatePasswordHash(db: Queryable, tenantId: string, userId: string, passwordHash: string): Promise<void> {
  await db.query(`UPDATE users SET password_hash = $3 WHERE tenant_id = $1 AND id = $2`, [tenantId, userId, passwordHash]);
}

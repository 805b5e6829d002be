import type { Queryable } from '../../db/database.ts';
import type { ApiKeyRow, Role, Scope, TenantRow, UserRow } from './auth.types.ts';

const KEY_COLUMNS = `tenant_id, id, name, prefix, scopes, project_id, created_by, created_at, last_used_at, revoked_at`;
const USER_COLUMNS = `tenant_id, id, email, name, role, department, active, created_at`;

export async function countTenants(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*) AS n FROM tenants`);
  return rows[0]!.n;
}

export async function findTenantByName(db: Queryable, name: string): Promise<TenantRow | null> {
  const { rows } = await db.query<TenantRow>(`SELECT id, name, created_at FROM tenants WHERE name = $1`, [name]);
  return rows[0] ?? null;
}

/** Creates the tenant; an existing tenant of that name is returned. */
export async function upsertTenant(db: Queryable, id: string, name: string): Promise<TenantRow> {
  const { rows } = await db.query<TenantRow>(
    `INSERT INTO tenants (id, name) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
     RETURNING id, name, created_at`,
    [id, name],
  );
  return rows[0]!;
}

export async function insertUser(
  db: Queryable,
  user: { tenantId: string; id: string; email: string; name: string | null; role: Role; passwordHash: string | null },
): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (tenant_id, id, email, name, role, password_hash)
     VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING ${USER_COLUMNS}`,
    [user.tenantId, user.id, user.email, user.name, user.role, user.passwordHash],
  );
  return rows[0]!;
}

export async function findOwner(db: Queryable, tenantId: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users WHERE tenant_id = $1 AND role = 'owner' ORDER BY created_at LIMIT 1`,
    [tenantId],
  );
  return rows[0] ?? null;
}

export async function insertApiKey(
  db: Queryable,
  key: { tenantId: string; id: string; name: string; prefix: string; hash: string; scopes: Scope[]; projectId: string | null; createdBy: string | null },
): Promise<ApiKeyRow> {
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (tenant_id, id, name, prefix, key_hash, scopes, project_id, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     RETURNING ${KEY_COLUMNS}`,
    [key.tenantId, key.id, key.name, key.prefix, key.hash, key.scopes, key.projectId, key.createdBy],
  );
  return rows[0]!;
}

/** Candidates for a presented key: same prefix, not revoked (api_keys_prefix_idx). */
export async function findKeysByPrefix(db: Queryable, prefix: string) {
  const { rows } = await db.query<ApiKeyRow & { key_hash: string }>(
    `SELECT ${KEY_COLUMNS}, key_hash FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL`,
    [prefix],
  );
  return rows;
}

export async function listApiKeys(db: Queryable, tenantId: string): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${KEY_COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id`,
    [tenantId],
  );
  return rows;
}

/** Revokes once; revoking again keeps the first time. Null when the key is not the tenant's. */
export async function revokeApiKey(db: Queryable, tenantId: string, id: string): Promise<ApiKeyRow | null> {
  const { rows } = await db.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
     WHERE tenant_id = $1 AND id = $2
     RETURNING ${KEY_COLUMNS}`,
    [tenantId, id],
  );
  return rows[0] ?? null;
}

export async function touchApiKey(db: Queryable, tenantId: string, id: string): Promise<void> {
  await db.query(`UPDATE api_keys SET last_used_at = now() WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
}

/** Rewrites a key's hash in the current scheme; a no-op when another node already did. */
export async function updateKeyHash(db: Queryable, tenantId: string, id: string, from: string, to: string): Promise<void> {
  await db.query(`UPDATE api_keys SET key_hash = $4 WHERE tenant_id = $1 AND id = $2 AND key_hash = $3`, [tenantId, id, from, to]);
}

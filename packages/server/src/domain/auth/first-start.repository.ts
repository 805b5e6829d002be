import type { Queryable } from '../../db/database.ts';

export interface FirstStartRow {
  tenant_id: string;
  tenant_name: string;
  user_id: string;
  email: string;
  password_hash: string | null;
  password: string;
  api_key: string | null;
}

export async function rememberFirstStart(db: Queryable, c: { tenantId: string; userId: string; password: string; apiKey: string | null }): Promise<void> {
  await db.query(
    `INSERT INTO first_start_credentials (tenant_id, user_id, password, api_key) VALUES ($1, $2, $3, $4)`,
    [c.tenantId, c.userId, c.password, c.apiKey],
  );
}

/** Credentials of first starts whose owner has not signed in yet. */
export async function pendingFirstStarts(db: Queryable): Promise<FirstStartRow[]> {
  const { rows } = await db.query<FirstStartRow>(
    `SELECT f.tenant_id, t.name AS tenant_name, f.user_id, u.email, u.password_hash, f.password, f.api_key
     FROM first_start_credentials f
     JOIN tenants t ON t.id = f.tenant_id
     JOIN users u ON u.tenant_id = f.tenant_id AND u.id = f.user_id
     ORDER BY f.created_at`,
  );
  return rows;
}

export async function forgetFirstStart(db: Queryable, tenantId: string, userId: string): Promise<void> {
  await db.query(`DELETE FROM first_start_credentials WHERE tenant_id = $1 AND user_id = $2`, [tenantId, userId]);
}

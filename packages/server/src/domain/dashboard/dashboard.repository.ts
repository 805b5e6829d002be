import type { Queryable } from '../../db/database.ts';

export async function findUser(db: Queryable, tenantId: string, userId: string) {
  const { rows } = await db.query<{ id: string; email: string; name: string | null; role: string }>(
    `SELECT id, email, name, role FROM users WHERE tenant_id = $1 AND id = $2`,
    [tenantId, userId],
  );
  return rows[0] ?? null;
}

import type { Queryable } from '../db/database.ts';

/** Every tenant's name, to suggest the nearest one when a command names an unknown tenant. */
export async function tenantNames(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(`SELECT name FROM tenants ORDER BY name LIMIT 1000`);
  return rows.map((row) => row.name);
}

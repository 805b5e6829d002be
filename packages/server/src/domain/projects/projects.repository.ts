import type { Queryable } from '../../db/database.ts';
import type { ProjectRow } from './projects.schemas.ts';

const COLUMNS = 'id, name, limits, retention_days, created_at, updated_at';

/** Null when the id is taken (the caller answers 409). */
export async function insertProject(db: Queryable, tenantId: string, p: { id: string; name: string; limits: object; retentionDays?: number | null }): Promise<ProjectRow | null> {
  const { rows } = await db.query<ProjectRow>(
    `INSERT INTO projects (tenant_id, id, name, limits, retention_days) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id, id) DO NOTHING RETURNING ${COLUMNS}`,
    [tenantId, p.id, p.name, JSON.stringify(p.limits), p.retentionDays ?? null],
  );
  return rows[0] ?? null;
}

export async function getProject(db: Queryable, tenantId: string, id: string): Promise<ProjectRow | null> {
  const { rows } = await db.query<ProjectRow>(`SELECT ${COLUMNS} FROM projects WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  return rows[0] ?? null;
}

export async function listProjects(db: Queryable, tenantId: string, limit: number, offset: number) {
  const page = await db.query<ProjectRow>(
    `SELECT ${COLUMNS} FROM projects WHERE tenant_id = $1 ORDER BY id LIMIT $2 OFFSET $3`,
    [tenantId, limit, offset],
  );
  const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM projects WHERE tenant_id = $1`, [tenantId]);
  return { projects: page.rows, total: count.rows[0]!.n };
}

/** Replaces the name, the whole limits object and/or the retention; null when the project does not exist. */
export async function updateProject(db: Queryable, tenantId: string, id: string, patch: { name?: string; limits?: object; retention_days?: number | null }): Promise<ProjectRow | null> {
  const { rows } = await db.query<ProjectRow>(
    `UPDATE projects SET name = coalesce($3, name), limits = coalesce($4::jsonb, limits),
       retention_days = CASE WHEN $5 THEN $6::int ELSE retention_days END, updated_at = now()
     WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [tenantId, id, patch.name ?? null, patch.limits ? JSON.stringify(patch.limits) : null, patch.retention_days !== undefined, patch.retention_days ?? null],
  );
  return rows[0] ?? null;
}

import type { Database } from '../../db/database.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import * as repo from './projects.repository.ts';
import type { CreateProjectBody, UpdateProjectBody } from './projects.schemas.ts';

/**
 * Projects group runs and carry the limits a run's risk_level is measured against when its
 * work unit has none of its own (SPEC §3). New limits apply to runs that finish afterwards.
 */
export function createProjectsService({ db }: { db: Database }) {
  return {
    async create(auth: AuthContext, body: CreateProjectBody) {
      const row = await repo.insertProject(db, auth.tenantId, { id: body.id, name: body.name, limits: body.limits ?? {}, retentionDays: body.retention_days ?? null });
      if (!row) throw new ConflictError('project_exists', `a project with id ${body.id} exists`, { project_id: body.id });
      return row;
    },

    async get(auth: AuthContext, id: string) {
      const row = await repo.getProject(db, auth.tenantId, id);
      if (!row) throw new NotFoundError('project', id);
      return row;
    },

    async list(auth: AuthContext, limit: number, offset: number) {
      return { ...(await repo.listProjects(db, auth.tenantId, limit, offset)), limit, offset };
    },

    async update(auth: AuthContext, id: string, body: UpdateProjectBody) {
      const row = await repo.updateProject(db, auth.tenantId, id, body);
      if (!row) throw new NotFoundError('project', id);
      return row;
    },
  };
}

export type ProjectsService = ReturnType<typeof createProjectsService>;

import { Type, type Static } from '@sinclair/typebox';
import { ClientId, Instant, Nullable } from '../../http/schemas.ts';
import { Limits } from '../registry/registry.schemas.ts';

const RetentionDays = Type.Integer({ minimum: 1, maximum: 36_500, description: 'runs, steps and activities older than this many days are deleted daily; null keeps everything' });

export const ProjectParams = Type.Object({ id: ClientId('project id') });

export const CreateProjectBody = Type.Object(
  {
    id: ClientId('project id, chosen by the client (e.g. "checkout")'),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    limits: Type.Optional(Limits),
    retention_days: Type.Optional(Nullable(RetentionDays)),
  },
  { additionalProperties: false },
);
export type CreateProjectBody = Static<typeof CreateProjectBody>;

export const UpdateProjectBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limits: Type.Optional(Limits),
    retention_days: Type.Optional(Nullable(RetentionDays)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateProjectBody = Static<typeof UpdateProjectBody>;

export const ListProjectsQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }), offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }) },
  { additionalProperties: false },
);

export const Project = Type.Object({
  id: Type.String(),
  name: Type.String(),
  limits: Limits,
  retention_days: Nullable(Type.Integer()),
  created_at: Instant(),
  updated_at: Instant(),
});

export const ProjectPage = Type.Object({ projects: Type.Array(Project), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });

export interface ProjectRow {
  tenant_id: string;
  id: string;
  name: string;
  limits: Static<typeof Limits>;
  retention_days: number | null;
  created_at: Date;
  updated_at: Date;
}

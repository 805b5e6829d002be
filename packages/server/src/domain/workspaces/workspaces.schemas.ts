import { Type, type Static } from '@sinclair/typebox';
import { ClientId, Enum, Instant, Nullable } from '../../http/schemas.ts';
import { WORK_UNIT_TYPES } from '../runs/runs.types.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, WORKSPACE_ROLES } from './workspaces.types.ts';

const Uuid = (description: string) => Type.String({ format: 'uuid', description });
const Name = Type.String({ minLength: 1, maxLength: 200, description: 'workspace name' });
const Description = Type.String({ maxLength: 5000 });
const Department = Type.String({ maxLength: 200, description: 'department, for cross-organisation visibility' });
const Constraints = Type.Record(Type.String(), Type.Unknown(), { description: 'access constraints (JSON object)' });
const Role = Enum(WORKSPACE_ROLES, 'owner, admin, member or viewer');

export const WorkspaceParams = Type.Object({ id: Uuid('workspace id') });
export const MemberParams = Type.Object({ id: Uuid('workspace id'), user_id: Uuid('user id') });
export const WorkUnitParams = Type.Object({ id: Uuid('workspace id'), work_unit_id: ClientId('work unit id') });

/** limit/offset paging; a limit above the maximum is a 400, not silently cut. */
const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
};
const PageFields = { total: Type.Integer({ description: 'rows in the whole list' }), limit: Type.Integer(), offset: Type.Integer() };

export const Workspace = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    department: Nullable(Type.String()),
    created_by: Nullable(Type.String()),
    created_at: Instant(),
    updated_at: Instant(),
    my_role: Nullable(Role),
  },
  { $id: 'Workspace' },
);

export const CreateWorkspaceBody = Type.Object(
  { name: Name, description: Type.Optional(Description), department: Type.Optional(Department) },
  { additionalProperties: false },
);
export type CreateWorkspaceBody = Static<typeof CreateWorkspaceBody>;

export const UpdateWorkspaceBody = Type.Object(
  { name: Type.Optional(Name), description: Type.Optional(Nullable(Description)), department: Type.Optional(Nullable(Department)) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateWorkspaceBody = Static<typeof UpdateWorkspaceBody>;

export const ListWorkspacesQuery = Type.Object(
  { ...PageQuery, department: Type.Optional(Department) },
  { additionalProperties: false },
);
export type ListWorkspacesQuery = Static<typeof ListWorkspacesQuery>;

export const WorkspacePage = Type.Object({ workspaces: Type.Array(Type.Ref(Workspace)), ...PageFields });

export const Member = Type.Object(
  {
    workspace_id: Type.String(),
    user_id: Type.String(),
    email: Type.String(),
    name: Nullable(Type.String()),
    role: Role,
    constraints: Nullable(Constraints),
    invited_by: Nullable(Type.String()),
    department: Nullable(Type.String()),
    created_at: Instant(),
    updated_at: Instant(),
  },
  { $id: 'WorkspaceMember' },
);

export const AddMemberBody = Type.Object(
  {
    user_id: Uuid('a user of the tenant'),
    role: Role,
    constraints: Type.Optional(Constraints),
    department: Type.Optional(Department),
  },
  { additionalProperties: false },
);
export type AddMemberBody = Static<typeof AddMemberBody>;

export const UpdateMemberBody = Type.Object(
  { role: Type.Optional(Role), constraints: Type.Optional(Nullable(Constraints)), department: Type.Optional(Nullable(Department)) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateMemberBody = Static<typeof UpdateMemberBody>;

export const PageQueryOnly = Type.Object(PageQuery, { additionalProperties: false });
export const MemberPage = Type.Object({ members: Type.Array(Type.Ref(Member)), ...PageFields });

export const WorkspaceWorkUnit = Type.Object(
  {
    workspace_id: Type.String(),
    work_unit_id: Type.String(),
    work_unit_name: Type.String(),
    work_unit_type: Enum(WORK_UNIT_TYPES),
    delegation_id: Nullable(Type.String()),
    constraints: Nullable(Constraints),
    added_by: Type.String(),
    department: Nullable(Type.String()),
    created_at: Instant(),
    updated_at: Instant(),
  },
  { $id: 'WorkspaceWorkUnit' },
);

export const AddWorkUnitBody = Type.Object(
  {
    work_unit_id: ClientId('a work unit of the registry'),
    work_unit_type: Type.Optional(Enum(WORK_UNIT_TYPES, "defaults to the registry's type of the unit")),
    delegation_id: Type.Optional(ClientId('trust delegation reference')),
    constraints: Type.Optional(Constraints),
    department: Type.Optional(Department),
  },
  { additionalProperties: false },
);
export type AddWorkUnitBody = Static<typeof AddWorkUnitBody>;

export const ListWorkUnitsQuery = Type.Object(
  { ...PageQuery, work_unit_type: Type.Optional(Enum(WORK_UNIT_TYPES)) },
  { additionalProperties: false },
);
export type ListWorkUnitsQuery = Static<typeof ListWorkUnitsQuery>;

export const WorkUnitPage = Type.Object({ work_units: Type.Array(Type.Ref(WorkspaceWorkUnit)), ...PageFields });

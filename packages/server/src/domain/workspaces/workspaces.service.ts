import { randomUUID } from 'node:crypto';
import { isDatabaseError, type Database, type Queryable } from '../../db/database.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors.ts';
import type { LiveEvent } from '../../events/live-events.ts';
import type { NewActivity } from '../activities/activities.types.ts';
import type { WriteService } from '../write/write.service.ts';
import { hasScope, type AuthContext } from '../auth/auth.types.ts';
import { accessOf, actorOf, canSee, effectiveRole, requireAction, type Access } from './permissions.ts';
import * as repo from './workspaces.repository.ts';
import type {
  AddMemberBody, AddWorkUnitBody, CreateWorkspaceBody, ListWorkspacesQuery, ListWorkUnitsQuery, UpdateMemberBody, UpdateWorkspaceBody,
} from './workspaces.schemas.ts';
import type { Page, WorkspaceRow, WorkspaceWorkUnitRow } from './workspaces.types.ts';

export interface WorkspacesServiceDeps {
  db: Database;
  writes: Pick<WriteService, 'apply'>;
  publish: (events: LiveEvent[]) => void;
}

/** The row as the API shows it, with the caller's role in it. */
export function toWorkspaceDto(row: WorkspaceRow, access: Access) {
  const { tenant_id: _t, member_role: _m, ...dto } = row;
  return { ...dto, my_role: effectiveRole(access) };
}

/** The feed entry of a work unit handed to a workspace (seed 000's `delegation` event). */
function delegationActivity(auth: AuthContext, workspace: WorkspaceRow, unit: WorkspaceWorkUnitRow): NewActivity {
  return {
    id: randomUUID(),
    project_id: auth.projectId,
    workspace_id: workspace.id,
    user_id: auth.userId,
    type: 'delegation',
    action_name: 'workspace.work_unit_added',
    action_description: `Work unit ${unit.work_unit_name} added to workspace ${workspace.name}`,
    target_name: unit.work_unit_name,
    status: 'success',
    source: 'runlog',
    work_unit_id: unit.work_unit_id,
    data: {
      workspace_id: workspace.id,
      workspace_name: workspace.name,
      work_unit_name: unit.work_unit_name,
      work_unit_type: unit.work_unit_type,
      delegation_id: unit.delegation_id,
      added_by: unit.added_by,
    },
  };
}

/** A foreign-key miss (the user or unit vanished between check and insert) is the same 404. */
async function orNotFound<T>(what: string, id: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isDatabaseError(err, '23503')) throw new NotFoundError(what, id);
    throw err;
  }
}

const pageOf = <K extends string, T>(key: K, result: { rows: T[]; total: number }, page: Page) =>
  ({ [key]: result.rows, total: result.total, limit: page.limit, offset: page.offset }) as Record<K, T[]> & { total: number } & Page;

export function createWorkspacesService({ db, writes, publish }: WorkspacesServiceDeps) {
  /**
   * The workspace as the caller may see it, locked for the transaction when `lock`: 404 when
   * it is missing, another tenant's, or hidden from a non-member (permissions.ts).
   */
  async function open(q: Queryable, auth: AuthContext, id: string, lock = false) {
    const row = lock ? await repo.lockWorkspace(q, auth.tenantId, id, auth.userId) : await repo.getWorkspace(q, auth.tenantId, id, auth.userId);
    const access = accessOf(auth, id, row?.member_role ?? null);
    if (!row || !canSee(access)) throw new NotFoundError('workspace', id);
    return { row, access };
  }

  async function requireMember(q: Queryable, tenantId: string, workspaceId: string, userId: string) {
    const member = await repo.getMember(q, tenantId, workspaceId, userId);
    if (!member) throw new NotFoundError('member', userId);
    return member;
  }

  /** Removing or demoting an owner must leave one; the caller holds the workspace lock. */
  async function keepAnOwner(tx: Queryable, tenantId: string, workspaceId: string, userId: string) {
    if ((await repo.countOwners(tx, tenantId, workspaceId)) > 1) return;
    throw new ConflictError('last_owner', `user ${userId} is the last owner of workspace ${workspaceId}; make another member owner first`, {
      workspace_id: workspaceId,
      user_id: userId,
    });
  }

  async function getDto(q: Queryable, auth: AuthContext, id: string) {
    const { row, access } = await open(q, auth, id);
    return toWorkspaceDto(row, access);
  }

  /** Whether the caller may run the work unit: tenant admins always; others as owner, admin or member of a workspace holding it. */
  async function canRunWorkUnit(auth: AuthContext, workUnitId: string, q: Queryable = db): Promise<boolean> {
    if (!hasScope(auth, 'ingest')) return false;
    if (hasScope(auth, 'admin')) return true;
    if (!auth.userId) return false;
    return repo.userHoldsUnit(q, auth.tenantId, auth.userId, workUnitId, ['owner', 'admin', 'member']);
  }

  return {
    canRunWorkUnit,

    /** The execution route's check: 403 naming the role needed. */
    async assertCanRunWorkUnit(auth: AuthContext, workUnitId: string, q: Queryable = db): Promise<void> {
      if (await canRunWorkUnit(auth, workUnitId, q)) return;
      throw new ForbiddenError(`running work unit ${workUnitId} needs the "member" role in a workspace that has it`, {
        work_unit_id: workUnitId,
        required_role: 'member',
      });
    },

    /** The creating user becomes the owner; a credential without a user must be a tenant admin. */
    async create(auth: AuthContext, body: CreateWorkspaceBody) {
      if (!auth.userId && !hasScope(auth, 'admin')) {
        throw new ForbiddenError('creating a workspace needs a user (who becomes its owner): sign in, use a key created by a user, or an admin key');
      }
      const id = randomUUID();
      return db.transaction(async (tx) => {
        await repo.insertWorkspace(tx, auth.tenantId, { id, name: body.name, description: body.description ?? null, department: body.department ?? null, createdBy: actorOf(auth) });
        const userId = auth.userId;
        if (userId) await orNotFound('user', userId, () => repo.insertMember(tx, auth.tenantId, { workspaceId: id, userId, role: 'owner', invitedBy: userId }));
        return getDto(tx, auth, id);
      });
    },

    get: (auth: AuthContext, id: string) => getDto(db, auth, id),

    async list(auth: AuthContext, q: ListWorkspacesQuery) {
      const result = await repo.listWorkspaces(db, auth.tenantId, { ...q, userId: auth.userId, all: hasScope(auth, 'admin') });
      const rows = result.rows.map((row) => toWorkspaceDto(row, accessOf(auth, row.id, row.member_role)));
      return pageOf('workspaces', { rows, total: result.total }, q);
    },

    async update(auth: AuthContext, id: string, body: UpdateWorkspaceBody) {
      return db.transaction(async (tx) => {
        requireAction((await open(tx, auth, id, true)).access, 'update');
        await repo.updateWorkspace(tx, auth.tenantId, id, body);
        return getDto(tx, auth, id);
      });
    },

    async remove(auth: AuthContext, id: string): Promise<void> {
      await db.transaction(async (tx) => {
        requireAction((await open(tx, auth, id, true)).access, 'own');
        await repo.deleteWorkspace(tx, auth.tenantId, id);
      });
    },

    async addMember(auth: AuthContext, id: string, body: AddMemberBody) {
      return db.transaction(async (tx) => {
        const { access } = await open(tx, auth, id, true);
        requireAction(access, body.role === 'owner' ? 'own' : 'manage_members');
        if (!(await repo.userExists(tx, auth.tenantId, body.user_id))) throw new NotFoundError('user', body.user_id);
        const added = await orNotFound('user', body.user_id, () =>
          repo.insertMember(tx, auth.tenantId, { workspaceId: id, userId: body.user_id, role: body.role, constraints: body.constraints, invitedBy: actorOf(auth), department: body.department }));
        if (!added) throw new ConflictError('member_exists', `user ${body.user_id} is already a member of workspace ${id}`, { workspace_id: id, user_id: body.user_id });
        return requireMember(tx, auth.tenantId, id, body.user_id);
      });
    },

    /** Granting, changing or taking away the owner role is for owners; the last owner stays an owner. */
    async updateMember(auth: AuthContext, id: string, userId: string, body: UpdateMemberBody) {
      return db.transaction(async (tx) => {
        const { access } = await open(tx, auth, id, true);
        requireAction(access, 'manage_members');
        const member = await requireMember(tx, auth.tenantId, id, userId);
        if (member.role === 'owner' || body.role === 'owner') requireAction(access, 'own');
        if (member.role === 'owner' && body.role !== undefined && body.role !== 'owner') await keepAnOwner(tx, auth.tenantId, id, userId);
        await repo.updateMember(tx, auth.tenantId, id, userId, body);
        return requireMember(tx, auth.tenantId, id, userId);
      });
    },

    /** Admins remove others (owners: owners only); anyone may leave; the last owner cannot. */
    async removeMember(auth: AuthContext, id: string, userId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const { access } = await open(tx, auth, id, true);
        const leaving = userId === auth.userId;
        if (!leaving) requireAction(access, 'manage_members');
        const member = await requireMember(tx, auth.tenantId, id, userId);
        if (member.role === 'owner') {
          if (!leaving) requireAction(access, 'own');
          await keepAnOwner(tx, auth.tenantId, id, userId);
        }
        await repo.deleteMember(tx, auth.tenantId, id, userId);
      });
    },

    async getMember(auth: AuthContext, id: string, userId: string) {
      await open(db, auth, id);
      return requireMember(db, auth.tenantId, id, userId);
    },

    async listMembers(auth: AuthContext, id: string, page: Page) {
      await open(db, auth, id);
      return pageOf('members', await repo.listMembers(db, auth.tenantId, id, page), page);
    },

    /** Hands a registry work unit to the workspace; its `delegation` activity is written last (seq lock). */
    async addWorkUnit(auth: AuthContext, id: string, body: AddWorkUnitBody) {
      const { unit, events } = await db.transaction(async (tx) => {
        const { row, access } = await open(tx, auth, id, true);
        requireAction(access, 'manage_work_units');
        const registered = await repo.findWorkUnit(tx, auth.tenantId, body.work_unit_id);
        if (!registered) throw new NotFoundError('work_unit', body.work_unit_id);
        const added = await orNotFound('work_unit', body.work_unit_id, () => repo.insertWorkUnit(tx, auth.tenantId, {
          workspaceId: id, workUnitId: body.work_unit_id, type: body.work_unit_type ?? registered.type, delegationId: body.delegation_id,
          constraints: body.constraints, addedBy: actorOf(auth), department: body.department,
        }));
        if (!added) {
          throw new ConflictError('work_unit_exists', `work unit ${body.work_unit_id} is already in workspace ${id}`, { workspace_id: id, work_unit_id: body.work_unit_id });
        }
        const unit = (await repo.getWorkUnit(tx, auth.tenantId, id, body.work_unit_id))!;
        const activity = delegationActivity(auth, row, unit);
        const written = await writes.apply(tx, auth.tenantId, [{ type: 'activity.create', id: activity.id, body: activity as unknown as Record<string, unknown>, auth, at: '' }]);
        return { unit, events: written.events };
      });
      publish(events);
      return unit;
    },

    async removeWorkUnit(auth: AuthContext, id: string, workUnitId: string): Promise<void> {
      await db.transaction(async (tx) => {
        requireAction((await open(tx, auth, id, true)).access, 'manage_work_units');
        if (!(await repo.deleteWorkUnit(tx, auth.tenantId, id, workUnitId))) throw new NotFoundError('work_unit', workUnitId);
      });
    },

    async getWorkUnit(auth: AuthContext, id: string, workUnitId: string) {
      await open(db, auth, id);
      const unit = await repo.getWorkUnit(db, auth.tenantId, id, workUnitId);
      if (!unit) throw new NotFoundError('work_unit', workUnitId);
      return unit;
    },

    async listWorkUnits(auth: AuthContext, id: string, q: ListWorkUnitsQuery) {
      await open(db, auth, id);
      return pageOf('work_units', await repo.listWorkUnits(db, auth.tenantId, id, { ...q, type: q.work_unit_type }), q);
    },
  };
}

export type WorkspacesService = ReturnType<typeof createWorkspacesService>;

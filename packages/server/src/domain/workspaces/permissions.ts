import { ForbiddenError } from '../../errors.ts';
import { hasScope, type AuthContext } from '../auth/auth.types.ts';
import { WORKSPACE_ROLES, type WorkspaceRole } from './workspaces.types.ts';

/**
 * Who may do what in a workspace.
 *
 * - A tenant admin (an owner/admin user's session, or a key with the admin scope) may do
 *   everything in every workspace, owner-only actions included, member or not.
 * - Anyone else acts with the workspace role of the user behind the credential (a key acts
 *   as the user who created it); a credential without a user is in no workspace.
 * - A non-member cannot see the workspace at all: every route answers 404, so membership
 *   is not leaked. A member below the role an action needs gets 403 naming that role.
 * - Writes also need a credential that may write (the routes ask for the ingest scope), so
 *   a read-only key never changes a workspace whatever its user's role.
 */
export const ACTION_ROLES = Object.freeze({
  read: 'viewer',
  run: 'member',
  update: 'admin',
  manage_members: 'admin',
  manage_work_units: 'admin',
  /** Deleting the workspace, and granting, changing or removing the owner role. */
  own: 'owner',
} as const satisfies Record<string, WorkspaceRole>);
export type WorkspaceAction = keyof typeof ACTION_ROLES;

/** The caller's standing in one workspace. */
export interface Access {
  workspaceId: string;
  role: WorkspaceRole | null;
  tenantAdmin: boolean;
}

export function accessOf(auth: AuthContext, workspaceId: string, memberRole: WorkspaceRole | null): Access {
  return { workspaceId, role: memberRole, tenantAdmin: hasScope(auth, 'admin') };
}

const rank = (role: WorkspaceRole) => WORKSPACE_ROLES.indexOf(role);

export const atLeast = (role: WorkspaceRole | null, needed: WorkspaceRole) => role !== null && rank(role) >= rank(needed);

/** Whether the workspace exists for this caller (else 404). */
export const canSee = (access: Access) => access.tenantAdmin || access.role !== null;

export function can(access: Access, action: WorkspaceAction): boolean {
  return access.tenantAdmin || atLeast(access.role, ACTION_ROLES[action]);
}

export function requireAction(access: Access, action: WorkspaceAction): void {
  if (can(access, action)) return;
  const required = ACTION_ROLES[action];
  throw new ForbiddenError(`this needs the "${required}" role in workspace ${access.workspaceId}`, {
    workspace_id: access.workspaceId,
    required_role: required,
    role: access.role,
  });
}

/** The role the API reports as the caller's: a tenant admin counts as at least admin. */
export function effectiveRole(access: Access): WorkspaceRole | null {
  if (access.tenantAdmin && !atLeast(access.role, 'admin')) return 'admin';
  return access.role;
}

/** What the caller is recorded as in created_by, invited_by, added_by. */
export function actorOf(auth: AuthContext): string {
  return auth.userId ?? `api_key:${auth.keyId}`;
}

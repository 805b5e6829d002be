/** Scopes an API key can hold; `admin` includes the other two. */
export const SCOPES = Object.freeze(['ingest', 'read', 'admin'] as const);
export type Scope = (typeof SCOPES)[number];

export const ROLES = Object.freeze(['owner', 'admin', 'member', 'viewer'] as const);
export type Role = (typeof ROLES)[number];

/** Who is calling: set on every authenticated request. */
export interface AuthContext {
  tenantId: string;
  keyId: string;
  scopes: readonly Scope[];
  /** The user the key was created for (or by). */
  userId: string | null;
  projectId: string | null;
}

export interface ApiKeyRow {
  tenant_id: string;
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  project_id: string | null;
  created_by: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface TenantRow {
  id: string;
  name: string;
  created_at: Date;
}

export interface UserRow {
  tenant_id: string;
  id: string;
  email: string;
  name: string | null;
  role: Role;
  department: string | null;
  active: boolean;
  created_at: Date;
}

/**
 * Credentials that stopped being valid (a revoked key, a signed-out session, a user who lost
 * access): every socket that relies on them is closed, on every node.
 */
export interface RevokedCredentials {
  keyId?: string;
  userId?: string;
}

export function reliesOn(auth: AuthContext, revoked: RevokedCredentials): boolean {
  return (revoked.keyId !== undefined && auth.keyId === revoked.keyId) || (revoked.userId !== undefined && auth.userId === revoked.userId);
}

export function hasScope(auth: AuthContext, scope: Scope): boolean {
  return auth.scopes.includes(scope) || auth.scopes.includes('admin');
}

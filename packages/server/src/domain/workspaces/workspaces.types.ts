import type { WORK_UNIT_TYPES } from '../runs/runs.types.ts';

/** Roles inside one workspace (seed 000), weakest first: each role may do what the ones before it may. */
export const WORKSPACE_ROLES = Object.freeze(['viewer', 'member', 'admin', 'owner'] as const);
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

export type WorkUnitType = (typeof WORK_UNIT_TYPES)[number];

/** Page sizes of the three lists (limit/offset, seed 000's default of 50). */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export interface WorkspaceRow {
  tenant_id: string;
  id: string;
  name: string;
  description: string | null;
  department: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  /** The caller's membership role, joined in by the queries that read for a caller. */
  member_role: WorkspaceRole | null;
}

export interface MemberRow {
  workspace_id: string;
  user_id: string;
  role: WorkspaceRole;
  constraints: Record<string, unknown> | null;
  invited_by: string | null;
  department: string | null;
  created_at: Date;
  updated_at: Date;
  email: string;
  name: string | null;
}

export interface WorkspaceWorkUnitRow {
  workspace_id: string;
  work_unit_id: string;
  work_unit_type: WorkUnitType;
  work_unit_name: string;
  delegation_id: string | null;
  constraints: Record<string, unknown> | null;
  added_by: string;
  department: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface Page {
  limit: number;
  offset: number;
}

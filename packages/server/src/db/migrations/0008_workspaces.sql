-- Workspaces (seed 000): the lookups the permission checks and lists make.
-- A user's memberships: GET /workspaces for a non-admin, and the cascade when a user is deleted.
CREATE INDEX workspace_members_user_idx ON workspace_members (tenant_id, user_id);
-- The workspaces holding a work unit: who may run it, and the cascade when it is deleted.
CREATE INDEX workspace_work_units_unit_idx ON workspace_work_units (tenant_id, work_unit_id);
-- GET /workspaces pages newest first.
CREATE INDEX workspaces_created_idx ON workspaces (tenant_id, created_at DESC, id);

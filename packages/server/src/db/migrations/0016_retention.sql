-- Retention: a project may keep its runs, steps and activities for a number of days (NULL keeps
-- everything). The prune job deletes what is older in small batches.
ALTER TABLE projects ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 1 AND 36500);

-- Expired runs of a project are found by completion time (finished runs only).
CREATE INDEX runs_project_completed_idx ON runs (tenant_id, project_id, completed_at) WHERE state = 'COMPLETED';
-- Expired activities of a project by occurrence time.
CREATE INDEX activities_project_occurred_idx ON activities (tenant_id, project_id, occurred_at) WHERE project_id IS NOT NULL;

-- Rows deleted by retention, per tenant and table: /metrics reads the totals (whichever process
-- pruned them: the daily job or `runlog prune`).
CREATE TABLE retention_pruned (
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  table_name  text NOT NULL CHECK (table_name IN ('runs', 'trace_steps', 'activities')),
  rows        bigint NOT NULL DEFAULT 0,
  last_at     timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, table_name)
);

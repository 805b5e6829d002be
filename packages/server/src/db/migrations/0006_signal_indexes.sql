-- Indexes of the signal endpoints (seed 001 §7), shaped by their plans (seed 001 §9): each
-- query reads one range of one index, index-only where it can. Where a seed index is kept
-- by name but not by shape, the comment says why.

-- COMP-O3 status summary, SIG-O3's window of runs and SIG-O4's current day: a started_at
-- range carrying every column they read. Replaces the seed's (tenant_id, state, started_at):
-- with state in the INCLUDE list the same index also serves the pattern window, which has
-- no state filter.
CREATE INDEX idx_runs_tenant_started ON runs (tenant_id, started_at)
  INCLUDE (id, state, status, risk_level, project_id, agent_id, estimated_cost_usd);

-- SIG-O4 baseline (completed_at range, cost per agent) and SIG-O5 (runs finished in the
-- last 24 hours). The seed's (tenant_id, agent_id, estimated_cost_usd, completed_at) puts
-- the range column last, so every agent's whole history would be read.
CREATE INDEX idx_runs_tenant_agent_cost ON runs (tenant_id, completed_at)
  INCLUDE (agent_id, estimated_cost_usd, project_id);

-- LIVE-O5 runs by dimension. state leads after the tenant (the query always fixes it), and
-- project_id rides along so a project filter stays index-only.
CREATE INDEX idx_runs_tenant_provider ON runs (tenant_id, state, provider_type) INCLUDE (project_id);
CREATE INDEX idx_runs_tenant_source ON runs (tenant_id, state, source) INCLUDE (project_id);
-- ... and agent_id, which also gives a finished run's duration baseline by agent (newest
-- first), as idx_runs_tenant_unit does by work unit (SPEC §3 latency_bucket).
CREATE INDEX idx_runs_tenant_agent ON runs (tenant_id, state, agent_id, completed_at) INCLUDE (duration_ms, project_id);
CREATE INDEX idx_runs_tenant_unit ON runs (tenant_id, state, work_unit_id, completed_at) INCLUDE (duration_ms);

-- SIG-O2 (GET /runs?risk_level=NEAR_THRESHOLD&risk_level=AT_RISK): the flagged runs newest
-- first, so a page stops after `limit` rows instead of sorting every flagged run. Small:
-- most runs are OK.
CREATE INDEX idx_runs_tenant_risk ON runs (tenant_id, created_at DESC, id DESC)
  WHERE risk_level IN ('NEAR_THRESHOLD', 'AT_RISK', 'VIOLATED');

-- SIG-O3 retry loops and timeout cascades probe each window run's steps. The seed's
-- (trace_id, skill_id, retry_count) and (trace_id, duration_ms) become partial indexes on
-- Runlog's step key: only retried steps and steps of a second or more enter them, so
-- they stay small and step ingestion barely pays for them. slow_threshold_ms is at least
-- 1000, so the planner can prove the partial predicate.
CREATE INDEX idx_aos_trace_steps_skill_retry ON trace_steps (tenant_id, run_id) INCLUDE (retry_count, skill_id)
  WHERE retry_count > 0;
CREATE INDEX idx_aos_trace_steps_duration ON trace_steps (tenant_id, run_id) INCLUDE (duration_ms)
  WHERE duration_ms >= 1000;

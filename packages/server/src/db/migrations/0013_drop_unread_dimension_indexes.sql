-- Runs by dimension now sums run_dimension_counts (0010), so no query reads the per-dimension
-- indexes of 0006 (seed 001 §7's idx_runs_tenant_provider and idx_runs_tenant_source): they
-- only cost every insert and every finished run (state is one of their keys). The agent
-- index stays: it gives the duration baseline by agent.
DROP INDEX idx_runs_tenant_provider;
DROP INDEX idx_runs_tenant_source;

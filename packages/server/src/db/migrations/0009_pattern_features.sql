-- SIG-O3 at scale: each run carries the evidence of the four pattern detectors, computed from
-- its steps when it finishes (and, while it is live, by the minute job for runs whose steps
-- changed). A pattern query then reads the window's runs from a small partial index instead
-- of every step of every run in the window (seed 001 §9: 3 s → milliseconds on 10M steps).
ALTER TABLE runs
  ADD COLUMN retry_total        integer,
  ADD COLUMN max_step_retries   integer,
  ADD COLUMN oscillation_skill  text,
  ADD COLUMN oscillation_count  integer,
  ADD COLUMN loop_skill         text,
  ADD COLUMN loop_depth         integer,
  -- Durations of the run's steps of a second or more, longest first (at most 1,000): a
  -- timeout cascade's threshold is a query parameter of at least 1 s.
  ADD COLUMN slow_step_ms       integer[],
  ADD COLUMN patterns_dirty     boolean NOT NULL DEFAULT false;

-- The detectors' definitions (SPEC §4): retries summed over the steps; a skill re-entered
-- after a different skill (A→B→A); the most calls of one skill within 5 consecutive step
-- indexes. One statement for any set of runs of a tenant; it clears patterns_dirty.
CREATE FUNCTION runlog_refresh_pattern_features(p_tenant uuid, p_runs text[]) RETURNS void
LANGUAGE sql AS $$
  WITH s AS (
    SELECT run_id, skill_id, retry_count, duration_ms,
      lag(skill_id) OVER (PARTITION BY run_id ORDER BY step_index) AS prev,
      row_number() OVER (PARTITION BY run_id, skill_id ORDER BY step_index) AS nth,
      count(*) OVER (PARTITION BY run_id, skill_id ORDER BY step_index RANGE BETWEEN 4 PRECEDING AND CURRENT ROW) AS recent
    FROM trace_steps WHERE tenant_id = p_tenant AND run_id = ANY (p_runs)
  ), per_skill AS (
    SELECT run_id, skill_id, count(*) FILTER (WHERE nth > 1 AND prev IS DISTINCT FROM skill_id) AS reentries, max(recent) AS depth
    FROM s WHERE skill_id IS NOT NULL GROUP BY run_id, skill_id
  ), per_run AS (
    SELECT run_id, sum(retry_count) AS retry_total, max(retry_count) AS max_retries,
      (array_agg(duration_ms ORDER BY duration_ms DESC) FILTER (WHERE duration_ms >= 1000))[1:1000] AS slow
    FROM s GROUP BY run_id
  ), osc AS (
    SELECT DISTINCT ON (run_id) run_id, skill_id, reentries FROM per_skill ORDER BY run_id, reentries DESC, skill_id
  ), loops AS (
    SELECT DISTINCT ON (run_id) run_id, skill_id, depth FROM per_skill ORDER BY run_id, depth DESC, skill_id
  ), features AS (
    SELECT id AS run_id, p.retry_total, p.max_retries, o.skill_id AS osc_skill, o.reentries, l.skill_id AS loop_skill, l.depth, p.slow
    FROM unnest(p_runs) AS id
    LEFT JOIN per_run p ON p.run_id = id LEFT JOIN osc o ON o.run_id = id LEFT JOIN loops l ON l.run_id = id
  )
  UPDATE runs r SET retry_total = f.retry_total, max_step_retries = f.max_retries,
    oscillation_skill = f.osc_skill, oscillation_count = f.reentries, loop_skill = f.loop_skill, loop_depth = f.depth,
    slow_step_ms = f.slow, patterns_dirty = false
  FROM features f
  WHERE r.tenant_id = p_tenant AND r.id = f.run_id
$$;

SELECT runlog_refresh_pattern_features(tenant_id, array_agg(id)) FROM runs GROUP BY tenant_id;

-- One partial index per detector: only runs that show the pattern enter it.
CREATE INDEX idx_runs_pattern_retry ON runs (tenant_id, started_at)
  INCLUDE (id, project_id, retry_total, max_step_retries) WHERE retry_total >= 3;
CREATE INDEX idx_runs_pattern_oscillation ON runs (tenant_id, started_at)
  INCLUDE (id, project_id, oscillation_skill, oscillation_count) WHERE oscillation_count >= 3;
CREATE INDEX idx_runs_pattern_loop ON runs (tenant_id, started_at)
  INCLUDE (id, project_id, loop_skill, loop_depth) WHERE loop_depth >= 3;
CREATE INDEX idx_runs_pattern_slow ON runs (tenant_id, started_at)
  INCLUDE (id, project_id, slow_step_ms) WHERE cardinality(slow_step_ms) >= 2;
-- The live pass finds the runs whose steps changed.
CREATE INDEX runs_patterns_dirty_idx ON runs (tenant_id, id) WHERE patterns_dirty;

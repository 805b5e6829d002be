-- runlog_refresh_pattern_features names its runs again on the UPDATE's target, so the plan
-- reads them by key even without statistics (PGlite has no autovacuum to gather any); without
-- it a fresh table could be scanned for every refreshed run.
CREATE OR REPLACE FUNCTION runlog_refresh_pattern_features(p_tenant uuid, p_runs text[]) RETURNS void
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
  WHERE r.tenant_id = p_tenant AND r.id = ANY (p_runs) AND r.id = f.run_id
$$;

-- The evidence of the four pattern detectors for some runs of a tenant (SPEC §4): retries
-- summed over the steps; a skill re-entered after a different skill (A→B→A); the most calls
-- of one skill within 5 consecutive step indexes; steps of a second or more. A table function,
-- so the transaction that finishes a run writes it in the same UPDATE as the derived fields.
-- PL/pgSQL rather than SQL: a SQL function would be inlined and planned again inside every
-- UPDATE that finishes runs (half of that statement's planning time); this one is planned once
-- per connection and kept.
CREATE OR REPLACE FUNCTION runlog_pattern_features(p_tenant uuid, p_runs text[])
RETURNS TABLE (run_id text, retry_total integer, max_step_retries integer, oscillation_skill text,
               oscillation_count integer, loop_skill text, loop_depth integer, slow_step_ms integer[])
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY WITH s AS (
    SELECT t.run_id, t.skill_id, t.retry_count, t.duration_ms,
      lag(t.skill_id) OVER (PARTITION BY t.run_id ORDER BY t.step_index) AS prev,
      row_number() OVER (PARTITION BY t.run_id, t.skill_id ORDER BY t.step_index) AS nth,
      count(*) OVER (PARTITION BY t.run_id, t.skill_id ORDER BY t.step_index RANGE BETWEEN 4 PRECEDING AND CURRENT ROW) AS recent
    -- One keyed lookup per run (both key columns), whatever the statistics say (OFFSET 0 keeps
    -- the planner from turning it into a scan of all the tenant's steps).
    FROM (SELECT DISTINCT id FROM unnest(p_runs) AS u(id)) k,
      LATERAL (SELECT * FROM trace_steps WHERE tenant_id = p_tenant AND run_id = k.id OFFSET 0) t
  ), per_skill AS (
    SELECT s.run_id, s.skill_id, count(*) FILTER (WHERE s.nth > 1 AND s.prev IS DISTINCT FROM s.skill_id) AS reentries, max(s.recent) AS depth
    FROM s WHERE s.skill_id IS NOT NULL GROUP BY s.run_id, s.skill_id
  ), per_run AS (
    SELECT s.run_id, sum(s.retry_count) AS retries, max(s.retry_count) AS max_retries,
      (array_agg(s.duration_ms ORDER BY s.duration_ms DESC) FILTER (WHERE s.duration_ms >= 1000))[1:1000] AS slow
    FROM s GROUP BY s.run_id
  ), osc AS (
    SELECT DISTINCT ON (k.run_id) k.run_id, k.skill_id, k.reentries FROM per_skill k ORDER BY k.run_id, k.reentries DESC, k.skill_id
  ), loops AS (
    SELECT DISTINCT ON (k.run_id) k.run_id, k.skill_id, k.depth FROM per_skill k ORDER BY k.run_id, k.depth DESC, k.skill_id
  )
  SELECT u.id, p.retries::int, p.max_retries::int, o.skill_id, o.reentries::int, l.skill_id, l.depth::int, p.slow::int[]
  FROM unnest(p_runs) AS u(id)
  LEFT JOIN per_run p ON p.run_id = u.id LEFT JOIN osc o ON o.run_id = u.id LEFT JOIN loops l ON l.run_id = u.id;
END $$;

-- The live pass and backfills: stores runlog_pattern_features on the runs and clears
-- patterns_dirty. The runs are named again on the UPDATE's target, so the plan reads them by
-- key even without statistics (PGlite has no autovacuum to gather any).
-- Applied after runlog_pattern_features (files are applied in name order).
CREATE OR REPLACE FUNCTION runlog_refresh_pattern_features(p_tenant uuid, p_runs text[]) RETURNS void
LANGUAGE sql AS $$
  UPDATE runs r SET retry_total = f.retry_total, max_step_retries = f.max_step_retries,
    oscillation_skill = f.oscillation_skill, oscillation_count = f.oscillation_count,
    loop_skill = f.loop_skill, loop_depth = f.loop_depth, slow_step_ms = f.slow_step_ms, patterns_dirty = false
  FROM runlog_pattern_features(p_tenant, p_runs) f
  WHERE r.tenant_id = p_tenant AND r.id = ANY (p_runs) AND r.id = f.run_id
$$;

-- Statement triggers on runs append signed deltas to run_dimension_counts for every insert,
-- update and delete (COPY included), so runs by dimension is exact at commit; the minute job
-- folds the deltas. They call runlog_run_dimensions only when they fire, so file order does not matter.
CREATE OR REPLACE FUNCTION runlog_count_inserted_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_dimension_counts (tenant_id, project_id, state, dim, key, delta)
  SELECT r.tenant_id, r.project_id, r.state, d.dim, d.key, count(*)
  FROM new_runs r, runlog_run_dimensions(r.provider_type, r.source, r.agent_id) d
  GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION runlog_count_updated_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_dimension_counts (tenant_id, project_id, state, dim, key, delta)
  SELECT tenant_id, project_id, state, dim, key, sum(delta)
  FROM (
    SELECT o.tenant_id, o.project_id, o.state, d.dim, d.key, -1 AS delta
    FROM old_runs o JOIN new_runs n ON n.tenant_id = o.tenant_id AND n.id = o.id,
      runlog_run_dimensions(o.provider_type, o.source, o.agent_id) d
    WHERE (o.state, o.project_id, o.provider_type, o.source, o.agent_id) IS DISTINCT FROM (n.state, n.project_id, n.provider_type, n.source, n.agent_id)
    UNION ALL
    SELECT n.tenant_id, n.project_id, n.state, d.dim, d.key, 1
    FROM old_runs o JOIN new_runs n ON n.tenant_id = o.tenant_id AND n.id = o.id,
      runlog_run_dimensions(n.provider_type, n.source, n.agent_id) d
    WHERE (o.state, o.project_id, o.provider_type, o.source, o.agent_id) IS DISTINCT FROM (n.state, n.project_id, n.provider_type, n.source, n.agent_id)
  ) changes
  GROUP BY 1, 2, 3, 4, 5
  HAVING sum(delta) <> 0;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION runlog_count_deleted_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_dimension_counts (tenant_id, project_id, state, dim, key, delta)
  SELECT r.tenant_id, r.project_id, r.state, d.dim, d.key, -count(*)
  FROM old_runs r, runlog_run_dimensions(r.provider_type, r.source, r.agent_id) d
  GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER runs_count_inserted AFTER INSERT ON runs REFERENCING NEW TABLE AS new_runs
  FOR EACH STATEMENT EXECUTE FUNCTION runlog_count_inserted_runs();
CREATE OR REPLACE TRIGGER runs_count_updated AFTER UPDATE ON runs REFERENCING OLD TABLE AS old_runs NEW TABLE AS new_runs
  FOR EACH STATEMENT EXECUTE FUNCTION runlog_count_updated_runs();
CREATE OR REPLACE TRIGGER runs_count_deleted AFTER DELETE ON runs REFERENCING OLD TABLE AS old_runs
  FOR EACH STATEMENT EXECUTE FUNCTION runlog_count_deleted_runs();

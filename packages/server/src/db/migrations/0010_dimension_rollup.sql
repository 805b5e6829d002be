-- LIVE-O5 rollup. Counting a big tenant's finished runs by agent reads half a million index
-- entries (140-170 ms on 2 cores, the seed's SQL included); this table keeps the counts instead.
-- Writers only append signed deltas (statement triggers on runs, so every write path and COPY
-- is covered without taking a shared lock); the minute job folds them into one row per key;
-- readers sum what is there, so answers are exact whether folded or not.
CREATE TABLE run_dimension_counts (
  tenant_id   uuid NOT NULL,
  project_id  text,
  state       text NOT NULL,
  dim         text NOT NULL,
  key         text NOT NULL,
  delta       bigint NOT NULL
);
CREATE INDEX run_dimension_counts_idx ON run_dimension_counts (tenant_id, dim, state, key) INCLUDE (project_id, delta);

-- The (dim, key) pairs a run counts under; NULL keys count as 'unknown', as the seed's agent_id query does.
CREATE FUNCTION runlog_run_dimensions(p_provider text, p_source text, p_agent text)
RETURNS TABLE (dim text, key text) LANGUAGE sql IMMUTABLE AS $$
  VALUES ('provider_type', coalesce(p_provider, 'unknown')), ('source', coalesce(p_source, 'unknown')),
         ('agent_id', coalesce(p_agent, 'unknown'))
$$;

CREATE FUNCTION runlog_count_inserted_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_dimension_counts (tenant_id, project_id, state, dim, key, delta)
  SELECT r.tenant_id, r.project_id, r.state, d.dim, d.key, count(*)
  FROM new_runs r, runlog_run_dimensions(r.provider_type, r.source, r.agent_id) d
  GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END $$;

CREATE FUNCTION runlog_count_updated_runs() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE FUNCTION runlog_count_deleted_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_dimension_counts (tenant_id, project_id, state, dim, key, delta)
  SELECT r.tenant_id, r.project_id, r.state, d.dim, d.key, -count(*)
  FROM old_runs r, runlog_run_dimensions(r.provider_type, r.source, r.agent_id) d
  GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END $$;

CREATE TRIGGER runs_count_inserted AFTER INSERT ON runs REFERENCING NEW TABLE AS new_runs
  FOR EACH STATEMENT EXECUTE FUNCTION runlog_count_inserted_runs();
CREATE TRIGGER runs_count_updated AFTER UPDATE ON runs REFERENCING OLD TABLE AS old_runs NEW TABLE AS new_runs
  FOR EACH STATEMENT EXECUTE FUNCTION runlog_count_updated_runs();
CREATE TRIGGER runs_count_deleted AFTER DELETE ON runs REFERENCING OLD TABLE AS old_runs
  FOR EACH STATEMENT EXECUTE FUNCTION runlog_count_deleted_runs();

INSERT INTO run_dimension_counts (tenant_id, project_id, state, dim, key, delta)
SELECT r.tenant_id, r.project_id, r.state, d.dim, d.key, count(*)
FROM runs r, runlog_run_dimensions(r.provider_type, r.source, r.agent_id) d
GROUP BY 1, 2, 3, 4, 5;

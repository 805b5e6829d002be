-- The registry's view of runs (SPEC §4 "Registry", seed 003): a unit's runs newest first by
-- coalesce(started_at, created_at), id. It serves GET /work-units/{id}/runs, and the count
-- and newest run that refreshWorkUnitStats stores in work_units after every run write.
-- The expression must stay identical to RUN_TIME in registry.repository.ts.
CREATE INDEX runs_work_unit_time_idx
  ON runs (tenant_id, work_unit_id, (coalesce(started_at, created_at)) DESC, id DESC)
  WHERE work_unit_id IS NOT NULL;

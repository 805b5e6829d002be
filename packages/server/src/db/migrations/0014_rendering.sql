-- Rendering (SPEC §6, seed 004). An activity's PENDING status is its render job: the row is
-- written PENDING by the same INSERT that stores the activity (a transactional outbox), so a
-- write and its job commit or roll back together. Workers claim rows with
-- FOR UPDATE SKIP LOCKED through the partial index below, which holds only unfinished rows.

-- PENDING: not before this time (a retry's backoff); PROCESSING: the claim's lease expiry,
-- after which another worker takes the row again (a worker that died mid-render).
ALTER TABLE activities ADD COLUMN processing_after timestamptz(3);
-- A retry with ?force=true: analyse again instead of reusing the cached render.
ALTER TABLE activities ADD COLUMN processing_force boolean NOT NULL DEFAULT false;

CREATE INDEX activities_render_queue_idx ON activities (processing_after)
  WHERE processing_status IN ('PENDING', 'PROCESSING');

-- Renders by payload structure per tenant: a thousand activities of one shape cost one
-- analysis (one LLM call). `analyzer_key` names the analyzer and its model, so changing the
-- model does not serve the old model's answers.
CREATE TABLE render_cache (
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  analyzer_key  text NOT NULL,
  fingerprint   text NOT NULL,
  render        jsonb NOT NULL,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, analyzer_key, fingerprint)
);

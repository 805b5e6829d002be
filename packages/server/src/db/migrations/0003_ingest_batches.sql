-- Results of committed /ingest batches, by a hash of the batch: a resend of the same batch
-- (the client never saw the answer) gets the same answer and writes nothing. Kept a day.
CREATE TABLE ingest_batches (
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  batch_hash  text NOT NULL,
  results     jsonb NOT NULL,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, batch_hash)
);
CREATE INDEX ingest_batches_created_idx ON ingest_batches (created_at);

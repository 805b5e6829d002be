-- The whole data model of SPEC §2. Every table carries tenant_id and every unique key
-- starts with it, so the schema can be distributed by tenant without change.
-- Timestamps are timestamptz(3): millisecond precision, exactly what a JS Date holds,
-- so keyset cursors built from them compare exactly.

CREATE TABLE tenants (
  id          uuid PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  created_at  timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE projects (
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id          text NOT NULL,
  name        text NOT NULL,
  limits      jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE users (
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id             uuid NOT NULL,
  email          text NOT NULL,
  name           text,
  role           text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  department     text,
  password_hash  text,
  active         boolean NOT NULL DEFAULT true,
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  updated_at     timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, email)
);

CREATE TABLE api_keys (
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id            uuid NOT NULL,
  name          text NOT NULL,
  -- The first characters of the secret: lets a key be found without storing it.
  prefix        text NOT NULL,
  key_hash      text NOT NULL,
  scopes        text[] NOT NULL CHECK (scopes <@ ARRAY['ingest', 'read', 'admin']::text[] AND cardinality(scopes) > 0),
  project_id    text,
  created_by    uuid,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  last_used_at  timestamptz(3),
  revoked_at    timestamptz(3),
  PRIMARY KEY (tenant_id, id)
);
-- Authentication looks a key up by prefix before the tenant is known.
CREATE INDEX api_keys_prefix_idx ON api_keys (prefix);

CREATE TABLE work_units (
  tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id                 text NOT NULL,
  name               text NOT NULL,
  version            text,
  kind               text NOT NULL DEFAULT 'agent' CHECK (kind IN ('agent', 'pipeline', 'workflow')),
  type               text NOT NULL DEFAULT 'atomic' CHECK (type IN ('atomic', 'composite')),
  author             text,
  description        text,
  metadata           jsonb NOT NULL DEFAULT '{}',
  limits             jsonb NOT NULL DEFAULT '{}',
  executor           jsonb,
  registered_at      timestamptz(3) NOT NULL DEFAULT now(),
  updated_at         timestamptz(3) NOT NULL DEFAULT now(),
  latest_run_id      text,
  latest_run_status  text,
  latest_run_at      timestamptz(3),
  total_runs         integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, id)
);

-- Runs, trace steps and activities are the high-volume tables: no foreign keys to keep
-- inserts cheap; tenant_id always comes from the caller's credentials.
CREATE TABLE runs (
  tenant_id            uuid NOT NULL,
  id                   text NOT NULL,
  project_id           text,
  work_unit_id         text,
  work_unit_type       text,
  work_unit_name       text,
  agent_id             text,
  user_id              text,
  user_name            text,
  source               text,
  provider_type        text,
  model                text,
  is_synthetic         boolean NOT NULL DEFAULT false,
  status               text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  state                text NOT NULL CHECK (state IN ('LIVE', 'COMPLETED')),
  input_data           jsonb,
  output_data          jsonb,
  metadata             jsonb,
  error                text,
  error_type           text,
  started_at           timestamptz(3),
  last_seen_at         timestamptz(3) NOT NULL DEFAULT now(),
  completed_at         timestamptz(3),
  duration_ms          bigint,
  input_tokens         bigint,
  output_tokens        bigint,
  cache_read_tokens    bigint,
  cache_write_tokens   bigint,
  reasoning_tokens     bigint,
  estimated_cost_usd   numeric(18, 8),
  cost_source          text CHECK (cost_source IN ('reported', 'computed', 'unknown')),
  risk_level           text CHECK (risk_level IN ('OK', 'NEAR_THRESHOLD', 'AT_RISK', 'VIOLATED')),
  latency_bucket       text CHECK (latency_bucket IN ('NORMAL', 'SLOW', 'STALLED')),
  evidence_health      text CHECK (evidence_health IN ('HEALTHY', 'DEGRADED', 'MISSING')),
  integrity_status     text CHECK (integrity_status IN ('VERIFIED', 'INCOMPLETE', 'UNKNOWN')),
  incident_count       integer NOT NULL DEFAULT 0,
  policy_draft_count   integer NOT NULL DEFAULT 0,
  policy_violation     boolean NOT NULL DEFAULT false,
  session_id           text,
  trace_id             text,
  external_id          text,
  -- Step count the client reported at completion (integrity_status compares it).
  reported_step_count  integer,
  -- Hash of the request that ended the run: the same end request again is a no-op.
  end_request_hash     text,
  created_at           timestamptz(3) NOT NULL DEFAULT now(),
  updated_at           timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX runs_external_id_key ON runs (tenant_id, external_id) WHERE external_id IS NOT NULL;
-- GET /runs pages newest first by (created_at, id).
CREATE INDEX runs_created_idx ON runs (tenant_id, created_at DESC, id DESC);
CREATE INDEX runs_user_created_idx ON runs (tenant_id, user_id, created_at DESC);
CREATE INDEX runs_live_idx ON runs (tenant_id, last_seen_at) WHERE state = 'LIVE';

CREATE TABLE trace_steps (
  tenant_id         uuid NOT NULL,
  run_id            text NOT NULL,
  trace_id          text,
  step_index        integer NOT NULL CHECK (step_index >= 0),
  skill_id          text,
  skill_name        text,
  kind              text NOT NULL DEFAULT 'other' CHECK (kind IN ('llm', 'tool', 'agent', 'other')),
  status            text,
  outcome_category  text,
  outcome_code      text,
  model             text,
  input_tokens      bigint,
  output_tokens     bigint,
  cost_cents        numeric(18, 6),
  duration_ms       bigint,
  retry_count       integer NOT NULL DEFAULT 0,
  started_at        timestamptz(3) NOT NULL DEFAULT now(),
  created_at        timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, run_id, step_index)
);

CREATE TABLE activities (
  tenant_id            uuid NOT NULL,
  id                   text NOT NULL,
  seq                  bigint NOT NULL,
  project_id           text,
  workspace_id         uuid,
  user_id              text,
  type                 text NOT NULL,
  action_name          text NOT NULL,
  action_description   text,
  target_name          text,
  status               text,
  duration_ms          bigint,
  is_automated         boolean NOT NULL DEFAULT false,
  priority             integer,
  source               text,
  session_id           text,
  run_id               text,
  work_unit_id         text,
  data                 jsonb,
  data_schema          jsonb,
  processing_status    text NOT NULL DEFAULT 'NOT_PROCESSED'
                       CHECK (processing_status IN ('NOT_PROCESSED', 'PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'SKIPPED')),
  schema_render        jsonb,
  processed_at         timestamptz(3),
  processing_error     text,
  processing_attempts  integer NOT NULL DEFAULT 0,
  occurred_at          timestamptz(3) NOT NULL DEFAULT now(),
  created_at           timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, seq)
);
CREATE INDEX activities_occurred_idx ON activities (tenant_id, occurred_at DESC, seq DESC);
CREATE INDEX activities_run_idx ON activities (tenant_id, run_id, seq) WHERE run_id IS NOT NULL;

-- Per-tenant activity position. Writers take the next seq by updating this row inside their
-- transaction, so seqs become visible in commit order and a feed never sees one skipped
-- that commits later (SPEC §5).
CREATE TABLE activity_sequences (
  tenant_id  uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  last_seq   bigint NOT NULL DEFAULT 0
);

CREATE TABLE workspaces (
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id           uuid NOT NULL,
  name         text NOT NULL,
  description  text,
  department   text,
  created_by   text,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE workspace_members (
  tenant_id     uuid NOT NULL,
  workspace_id  uuid NOT NULL,
  user_id       uuid NOT NULL,
  role          text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  constraints   jsonb,
  invited_by    text,
  department    text,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  updated_at    timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, workspace_id, user_id),
  FOREIGN KEY (tenant_id, workspace_id) REFERENCES workspaces (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE workspace_work_units (
  tenant_id       uuid NOT NULL,
  workspace_id    uuid NOT NULL,
  work_unit_id    text NOT NULL,
  work_unit_type  text NOT NULL DEFAULT 'atomic' CHECK (work_unit_type IN ('atomic', 'composite')),
  delegation_id   text,
  constraints     jsonb,
  added_by        text NOT NULL,
  department      text,
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  updated_at      timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, workspace_id, work_unit_id),
  FOREIGN KEY (tenant_id, workspace_id) REFERENCES workspaces (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, work_unit_id) REFERENCES work_units (tenant_id, id) ON DELETE CASCADE
);

-- Versioned prices in USD per million tokens. tenant_id NULL rows ship with Runlog; a
-- tenant's own rows win over them. The price in effect at a run's start is the newest
-- effective_from at or before it.
CREATE TABLE model_prices (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id             uuid REFERENCES tenants (id) ON DELETE CASCADE,
  provider              text NOT NULL,
  -- A LIKE pattern: 'claude-sonnet-4-5%' matches dated model ids too.
  model_pattern         text NOT NULL,
  input_per_mtok        numeric(12, 6) NOT NULL CHECK (input_per_mtok >= 0),
  output_per_mtok       numeric(12, 6) NOT NULL CHECK (output_per_mtok >= 0),
  cache_read_per_mtok   numeric(12, 6) CHECK (cache_read_per_mtok >= 0),
  cache_write_per_mtok  numeric(12, 6) CHECK (cache_write_per_mtok >= 0),
  reasoning_per_mtok    numeric(12, 6) CHECK (reasoning_per_mtok >= 0),
  effective_from        timestamptz(3) NOT NULL,
  created_at            timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX model_prices_version_key
  ON model_prices (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), provider, model_pattern, effective_from);

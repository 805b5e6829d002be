-- The current schema, in one file (0.1: the pre-release migrations 0001–0013 squashed).
-- A database created by those migrations has version 13 recorded and skips this file; a new
-- one gets this. SQL functions and the triggers that call them live in ../functions/, one file
-- each, applied with CREATE OR REPLACE after the migrations on every start.
-- Later changes to tables go in new numbered files after this one.

-- ───── data model (runs, steps, activities, tenants, keys, prices) ─────
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
  -- SIG-O3 at scale: each run carries the evidence of the four pattern detectors, computed from
  -- its steps when it finishes (and, while it is live, by the minute job for runs whose steps
  -- changed); a pattern query reads the window's runs from one small partial index per detector.
  retry_total          integer,
  max_step_retries     integer,
  oscillation_skill    text,
  oscillation_count    integer,
  loop_skill           text,
  loop_depth           integer,
  -- Durations of the run's steps of a second or more, longest first (at most 1,000): a
  -- timeout cascade's threshold is a query parameter of at least 1 s.
  slow_step_ms         integer[],
  patterns_dirty       boolean NOT NULL DEFAULT false,
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

-- ───── default prices ─────
-- Default prices, USD per million tokens, as published by Anthropic, OpenAI and Google.
-- A NULL cache or reasoning price means those tokens are billed at the plain input
-- (cache) or output (reasoning) price, which is how these providers bill them.
-- Patterns are specific on purpose: a model not listed here gets cost_source 'unknown'
-- rather than a guessed price. New prices go in a new migration with a later effective_from.
INSERT INTO model_prices
  (provider, model_pattern, input_per_mtok, output_per_mtok, cache_read_per_mtok, cache_write_per_mtok, reasoning_per_mtok, effective_from)
VALUES
  ('anthropic', 'claude-opus-4-5%', 5, 25, 0.5, 6.25, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-opus-4-1%', 15, 75, 1.5, 18.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-opus-4-0', 15, 75, 1.5, 18.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-opus-4-2025%', 15, 75, 1.5, 18.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-sonnet-4-5%', 3, 15, 0.3, 3.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-sonnet-4-0', 3, 15, 0.3, 3.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-sonnet-4-2025%', 3, 15, 0.3, 3.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-haiku-4-5%', 1, 5, 0.1, 1.25, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-3-7-sonnet%', 3, 15, 0.3, 3.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-3-5-haiku%', 0.8, 4, 0.08, 1, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-5', 1.25, 10, 0.125, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-5-2025%', 1.25, 10, 0.125, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-5-mini%', 0.25, 2, 0.025, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-5-nano%', 0.05, 0.4, 0.005, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4.1', 2, 8, 0.5, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4.1-2025%', 2, 8, 0.5, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4.1-mini%', 0.4, 1.6, 0.1, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4.1-nano%', 0.1, 0.4, 0.025, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4o', 2.5, 10, 1.25, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4o-2024%', 2.5, 10, 1.25, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4o-mini%', 0.15, 0.6, 0.075, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'o3', 2, 8, 0.5, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'o3-2025%', 2, 8, 0.5, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'o3-mini%', 1.1, 4.4, 0.55, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'o4-mini%', 1.1, 4.4, 0.275, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('google', 'gemini-2.5-pro%', 1.25, 10, 0.31, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('google', 'gemini-2.5-flash%', 0.3, 2.5, 0.075, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('google', 'gemini-2.5-flash-lite%', 0.1, 0.4, 0.025, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('google', 'gemini-2.0-flash%', 0.1, 0.4, 0.025, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('google', 'gemini-2.0-flash-lite%', 0.075, 0.3, NULL, NULL, NULL, '2025-01-01T00:00:00Z');

-- ───── ingest batches ─────
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

-- ───── ws tickets ─────
-- One-time WebSocket tickets (SPEC §5): a browser cannot set an Authorization header on a
-- WebSocket upgrade, so it trades its credentials for a short-lived ticket and passes that
-- in the URL instead of a long-lived secret. Only a hash is stored; a ticket is deleted when
-- it is used, so it works once, on whichever node the client reaches.
CREATE TABLE ws_tickets (
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id           uuid NOT NULL,
  ticket_hash  text NOT NULL,
  -- Who asked for it: the connection acts with these credentials.
  key_id       text,
  scopes       text[] NOT NULL,
  user_id      text,
  project_id   text,
  expires_at   timestamptz(3) NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
-- Redemption looks a ticket up by hash before the tenant is known (like api_keys_prefix_idx).
CREATE INDEX ws_tickets_hash_idx ON ws_tickets (ticket_hash);
-- Issuing a ticket purges the tenant's expired ones.
CREATE INDEX ws_tickets_expiry_idx ON ws_tickets (tenant_id, expires_at);

-- ───── sessions ─────
-- Dashboard sessions: a user signs in with email and password and gets an httpOnly cookie
-- holding a random token; only its hash is stored. Looked up by hash before the tenant is known.
CREATE TABLE sessions (
  tenant_id     uuid NOT NULL,
  token_hash    text NOT NULL,
  user_id       uuid NOT NULL,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  expires_at    timestamptz(3) NOT NULL,
  PRIMARY KEY (tenant_id, token_hash),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_token_idx ON sessions (token_hash);

-- ───── signal indexes (seed 001 §7) ─────
-- Indexes of the signal endpoints (seed 001 §7), shaped by their plans (seed 001 §9): each
-- query reads one range of one index, index-only where it can. Where a seed index is kept
-- by name but not by shape, the comment says why.

-- COMP-O3 status summary, SIG-O3's window of runs and SIG-O4's current day: a started_at
-- range carrying every column they read. Replaces the seed's (tenant_id, state, started_at):
-- with state in the INCLUDE list the same index also serves the pattern window, which has
-- no state filter.
CREATE INDEX idx_runs_tenant_started ON runs (tenant_id, started_at)
  INCLUDE (id, state, status, risk_level, project_id, agent_id, estimated_cost_usd);

-- SIG-O4 baseline (completed_at range, cost per agent) and SIG-O5 (runs finished in the
-- last 24 hours). The seed's (tenant_id, agent_id, estimated_cost_usd, completed_at) puts
-- the range column last, so every agent's whole history would be read.
CREATE INDEX idx_runs_tenant_agent_cost ON runs (tenant_id, completed_at)
  INCLUDE (agent_id, estimated_cost_usd, project_id);

-- Runs by agent: a finished run's duration baseline by agent (newest first), as
-- idx_runs_tenant_unit does by work unit (SPEC §3 latency_bucket). Runs by dimension (LIVE-O5)
-- sums run_dimension_counts below, so the seed's per-dimension indexes are not kept.
CREATE INDEX idx_runs_tenant_agent ON runs (tenant_id, state, agent_id, completed_at) INCLUDE (duration_ms, project_id);
CREATE INDEX idx_runs_tenant_unit ON runs (tenant_id, state, work_unit_id, completed_at) INCLUDE (duration_ms);

-- SIG-O2 (GET /runs?risk_level=NEAR_THRESHOLD&risk_level=AT_RISK): the flagged runs newest
-- first, so a page stops after `limit` rows instead of sorting every flagged run. Small:
-- most runs are OK.
CREATE INDEX idx_runs_tenant_risk ON runs (tenant_id, created_at DESC, id DESC)
  WHERE risk_level IN ('NEAR_THRESHOLD', 'AT_RISK', 'VIOLATED');

-- SIG-O3 retry loops and timeout cascades probe each window run's steps. The seed's
-- (trace_id, skill_id, retry_count) and (trace_id, duration_ms) become partial indexes on
-- Runlog's step key: only retried steps and steps of a second or more enter them, so
-- they stay small and step ingestion barely pays for them. slow_threshold_ms is at least
-- 1000, so the planner can prove the partial predicate.
CREATE INDEX idx_aos_trace_steps_skill_retry ON trace_steps (tenant_id, run_id) INCLUDE (retry_count, skill_id)
  WHERE retry_count > 0;
CREATE INDEX idx_aos_trace_steps_duration ON trace_steps (tenant_id, run_id) INCLUDE (duration_ms)
  WHERE duration_ms >= 1000;

-- ───── registry ─────
-- The registry's view of runs (SPEC §4 "Registry", seed 003): a unit's runs newest first by
-- coalesce(started_at, created_at), id. It serves GET /work-units/{id}/runs, and the count
-- and newest run that refreshWorkUnitStats stores in work_units after every run write.
-- The expression must stay identical to RUN_TIME in registry.repository.ts.
CREATE INDEX runs_work_unit_time_idx
  ON runs (tenant_id, work_unit_id, (coalesce(started_at, created_at)) DESC, id DESC)
  WHERE work_unit_id IS NOT NULL;

-- ───── workspaces ─────
-- Workspaces (seed 000): the lookups the permission checks and lists make.
-- A user's memberships: GET /workspaces for a non-admin, and the cascade when a user is deleted.
CREATE INDEX workspace_members_user_idx ON workspace_members (tenant_id, user_id);
-- The workspaces holding a work unit: who may run it, and the cascade when it is deleted.
CREATE INDEX workspace_work_units_unit_idx ON workspace_work_units (tenant_id, work_unit_id);
-- GET /workspaces pages newest first.
CREATE INDEX workspaces_created_idx ON workspaces (tenant_id, created_at DESC, id);

-- ───── pattern evidence indexes ─────
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

-- ───── runs by dimension rollup ─────
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

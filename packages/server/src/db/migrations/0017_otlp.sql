-- OTLP spans as received (SPEC §4, ingestion adapters). Spans of one trace arrive in several
-- exports, children usually before their parents; each is kept here by span id (a re-export
-- finds it stored) until the span that owns it as a run has arrived. Then the run's steps are
-- numbered in start order once and written, in the same transaction; the number is kept
-- (step_index) so a step arriving later is appended after them.
CREATE TABLE otlp_spans (
  tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  trace_id        text NOT NULL,
  span_id         text NOT NULL,
  parent_span_id  text,
  start_ns        bigint NOT NULL,
  -- What the span is: its run and step fields as mapped when it arrived (see genai.mapping.ts).
  span            jsonb NOT NULL,
  -- The run a step span was numbered in, and its number there; null while it waits.
  step_run_id     text,
  step_index      int,
  -- Set once its step went to the writer; run_written once its run did (a nested agent is both).
  written         boolean NOT NULL DEFAULT false,
  run_written     boolean NOT NULL DEFAULT false,
  received_at     timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, trace_id, span_id)
);
CREATE INDEX otlp_spans_received_idx ON otlp_spans (received_at);

-- GET /runs?trace_id= (runs of one OTLP trace, or any client's trace id).
CREATE INDEX runs_trace_idx ON runs (tenant_id, trace_id) WHERE trace_id IS NOT NULL;

-- Claude Code's usage metrics (claude_code.cost.usage, claude_code.token.usage), one row per
-- data point: a delta point by its series, start and end (a re-export lands on the same row);
-- a cumulative series by its series and start time only (interval_end_ns 0), holding its
-- latest value, so a restarted process (new start time) adds a row. The session's usage is
-- the sum of its rows.
CREATE TABLE claude_code_usage (
  tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  session_id       text NOT NULL,
  series           text NOT NULL,
  start_ns         bigint NOT NULL,
  interval_end_ns  bigint NOT NULL,
  time_ns          bigint NOT NULL,
  model            text NOT NULL,
  -- cost_usd, or the token type: input, output, cacheRead, cacheCreation
  kind             text NOT NULL,
  value            double precision NOT NULL,
  PRIMARY KEY (tenant_id, session_id, series, start_ns, interval_end_ns)
);

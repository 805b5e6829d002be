import { Type, type Static } from '@sinclair/typebox';
import { ClientId, Enum, Instant, Json, Nullable, Timestamp } from '../../http/schemas.ts';
import {
  COST_SOURCES, EVIDENCE_HEALTH, INTEGRITY_STATUSES, LATENCY_BUCKETS, RISK_LEVELS, RUN_STATES,
  RUN_STATUSES, STEP_KINDS, WORK_UNIT_TYPES,
} from './runs.types.ts';

const Label = (description: string) => Type.String({ maxLength: 500, description });
const TokenCount = (description: string) => Type.Integer({ minimum: 0, maximum: 1e13, description });
const Money = Type.Number({ minimum: 0, maximum: 1e9, description: 'USD' });

export const RunId = ClientId('run id');
export const RunParams = Type.Object({ id: RunId });

export const Run = Type.Object(
  {
    id: Type.String(),
    project_id: Nullable(Type.String()),
    work_unit_id: Nullable(Type.String()),
    work_unit_type: Nullable(Type.String()),
    work_unit_name: Nullable(Type.String()),
    agent_id: Nullable(Type.String()),
    user_id: Nullable(Type.String()),
    user_name: Nullable(Type.String()),
    source: Nullable(Type.String()),
    provider_type: Nullable(Type.String()),
    model: Nullable(Type.String()),
    is_synthetic: Type.Boolean(),
    status: Enum(RUN_STATUSES),
    state: Enum(RUN_STATES),
    input_data: Json,
    output_data: Json,
    metadata: Json,
    error: Nullable(Type.String()),
    error_type: Nullable(Type.String()),
    started_at: Nullable(Instant()),
    last_seen_at: Instant(),
    completed_at: Nullable(Instant()),
    duration_ms: Nullable(Type.Integer()),
    input_tokens: Nullable(Type.Integer()),
    output_tokens: Nullable(Type.Integer()),
    cache_read_tokens: Nullable(Type.Integer()),
    cache_write_tokens: Nullable(Type.Integer()),
    reasoning_tokens: Nullable(Type.Integer()),
    estimated_cost_usd: Nullable(Type.Number()),
    cost_source: Nullable(Enum(COST_SOURCES)),
    risk_level: Nullable(Enum(RISK_LEVELS)),
    latency_bucket: Nullable(Enum(LATENCY_BUCKETS)),
    evidence_health: Nullable(Enum(EVIDENCE_HEALTH)),
    integrity_status: Nullable(Enum(INTEGRITY_STATUSES)),
    incident_count: Type.Integer(),
    policy_draft_count: Type.Integer(),
    policy_violation: Type.Boolean(),
    session_id: Nullable(Type.String()),
    trace_id: Nullable(Type.String()),
    external_id: Nullable(Type.String()),
    created_at: Instant(),
    updated_at: Instant(),
  },
  { $id: 'Run' },
);

export const CreateRunBody = Type.Object(
  {
    id: Type.Optional(ClientId('client-chosen run id; makes the create idempotent')),
    external_id: Type.Optional(ClientId('id in the client system; makes the create idempotent')),
    project_id: Type.Optional(ClientId('project id')),
    work_unit_id: Type.Optional(ClientId('work unit (agent, pipeline, workflow) id')),
    work_unit_type: Type.Optional(Enum(WORK_UNIT_TYPES)),
    work_unit_name: Type.Optional(Label('work unit display name')),
    agent_id: Type.Optional(Label('agent id')),
    user_id: Type.Optional(Label('who started the run; defaults to the key owner')),
    user_name: Type.Optional(Label('display name of the user')),
    source: Type.Optional(Label('where the run comes from (sdk, otlp, hook, …)')),
    provider_type: Type.Optional(Label('model provider: anthropic, openai, google, …')),
    model: Type.Optional(Label('model id')),
    is_synthetic: Type.Optional(Type.Boolean()),
    status: Type.Optional(Type.Unsafe<'pending' | 'running'>({ type: 'string', enum: ['pending', 'running'], description: 'create as pending (default) or already running' })),
    input_data: Type.Optional(Json),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    session_id: Type.Optional(Label('session the run belongs to')),
    trace_id: Type.Optional(Label('trace id')),
    started_at: Type.Optional(Timestamp('when the run started (status running); defaults to now')),
  },
  { additionalProperties: false },
);
export type CreateRunBody = Static<typeof CreateRunBody>;

const Usage = {
  input_tokens: Type.Optional(TokenCount('all input tokens, cached ones included')),
  output_tokens: Type.Optional(TokenCount('all output tokens, reasoning ones included')),
  cache_read_tokens: Type.Optional(TokenCount('input tokens read from the cache (part of input_tokens)')),
  cache_write_tokens: Type.Optional(TokenCount('input tokens written to the cache (part of input_tokens)')),
  reasoning_tokens: Type.Optional(TokenCount('reasoning tokens (part of output_tokens)')),
  estimated_cost_usd: Type.Optional(Money),
  model: Type.Optional(Label('model id, when known only at the end')),
  provider_type: Type.Optional(Label('model provider')),
  step_count: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e9, description: 'steps the client sent' })),
  output_data: Type.Optional(Json),
  completed_at: Type.Optional(Timestamp('when the run ended; defaults to now')),
  policy_violation: Type.Optional(Type.Boolean({ description: 'the run broke a policy (risk_level becomes VIOLATED)' })),
  incident_count: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'incidents the run caused' })),
};

export const StartBody = Type.Object({ started_at: Type.Optional(Timestamp()) }, { additionalProperties: false });
export const HeartbeatBody = Type.Object({}, { additionalProperties: false });
export const CompleteBody = Type.Object(Usage, { additionalProperties: false });
export const FailBody = Type.Object(
  {
    ...Usage,
    error: Type.Optional(Type.String({ maxLength: 20_000 })),
    error_type: Type.Optional(Label('error class or code')),
  },
  { additionalProperties: false },
);
export const CancelBody = Type.Object(
  { ...Usage, reason: Type.Optional(Type.String({ maxLength: 20_000 })) },
  { additionalProperties: false },
);
export type EndBody = Static<typeof CompleteBody> & { error?: string; error_type?: string; reason?: string };
export type StartBody = Static<typeof StartBody>;

export const ListRunsQuery = Type.Object(
  {
    status: Type.Optional(Type.Array(Enum(RUN_STATUSES), { maxItems: 5 })),
    state: Type.Optional(Enum(RUN_STATES)),
    risk_level: Type.Optional(Type.Array(Enum(RISK_LEVELS), { maxItems: 4 })),
    latency_bucket: Type.Optional(Enum(LATENCY_BUCKETS)),
    project_id: Type.Optional(Type.String({ maxLength: 200 })),
    work_unit_id: Type.Optional(Type.String({ maxLength: 200 })),
    agent_id: Type.Optional(Type.String({ maxLength: 500 })),
    source: Type.Optional(Type.String({ maxLength: 500 })),
    provider_type: Type.Optional(Type.String({ maxLength: 500 })),
    user_id: Type.Optional(Type.String({ maxLength: 500 })),
    trace_id: Type.Optional(Type.String({ maxLength: 500, description: 'runs of one trace (an OTLP trace id is 32 hex digits)' })),
    started_after: Type.Optional(Timestamp()),
    started_before: Type.Optional(Timestamp()),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type ListRunsQuery = Static<typeof ListRunsQuery>;

export const RunPage = Type.Object({
  runs: Type.Array(Type.Ref(Run)),
  next_cursor: Nullable(Type.String({ description: 'pass as cursor for the next page; null at the end' })),
});

export const RecentRunsQuery = Type.Object(
  {
    user_id: Type.Optional(Type.String({ maxLength: 500, description: 'defaults to the caller' })),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  },
  { additionalProperties: false },
);

export const Step = Type.Object({
  step_index: Type.Integer({ minimum: 0, maximum: 1e9 }),
  skill_id: Type.Optional(Nullable(Label('skill / tool id'))),
  skill_name: Type.Optional(Nullable(Label('skill / tool display name'))),
  kind: Type.Optional(Enum(STEP_KINDS)),
  status: Type.Optional(Nullable(Label('step status'))),
  outcome_category: Type.Optional(Nullable(Label('outcome category'))),
  outcome_code: Type.Optional(Nullable(Label('outcome code'))),
  model: Type.Optional(Nullable(Label('model id'))),
  input_tokens: Type.Optional(Nullable(TokenCount('input tokens'))),
  output_tokens: Type.Optional(Nullable(TokenCount('output tokens'))),
  cost_cents: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1e11 }))),
  duration_ms: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1e12 }))),
  retry_count: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e6 })),
  started_at: Type.Optional(Timestamp()),
}, { additionalProperties: false });
export type StepInput = Static<typeof Step>;

export const MAX_STEPS_PER_BATCH = 1000;
export const AppendStepsBody = Type.Object(
  { steps: Type.Array(Step, { minItems: 1, maxItems: MAX_STEPS_PER_BATCH }) },
  { additionalProperties: false },
);

export const StepOut = Type.Object({
  run_id: Type.String(),
  trace_id: Nullable(Type.String()),
  step_index: Type.Integer(),
  skill_id: Nullable(Type.String()),
  skill_name: Nullable(Type.String()),
  kind: Type.String(),
  status: Nullable(Type.String()),
  outcome_category: Nullable(Type.String()),
  outcome_code: Nullable(Type.String()),
  model: Nullable(Type.String()),
  input_tokens: Nullable(Type.Integer()),
  output_tokens: Nullable(Type.Integer()),
  cost_cents: Nullable(Type.Number()),
  duration_ms: Nullable(Type.Integer()),
  retry_count: Type.Integer(),
  started_at: Instant(),
});

export const AppendStepsResult = Type.Object({
  run_id: Type.String(),
  inserted: Type.Integer({ description: 'steps stored by this call' }),
  duplicates: Type.Integer({ description: 'step indexes already stored (ignored)' }),
});

export const ListStepsQuery = Type.Object(
  {
    after_index: Type.Optional(Type.Integer({ minimum: -1 })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
  },
  { additionalProperties: false },
);

export const StepPage = Type.Object({
  steps: Type.Array(StepOut),
  next_after_index: Nullable(Type.Integer()),
});

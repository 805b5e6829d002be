import { Type, type Static } from '@sinclair/typebox';
import { ClientId, Enum, Instant, Json, Nullable, Timestamp } from '../../http/schemas.ts';
import { FailBody, RunId } from '../runs/runs.schemas.ts';
import { RUN_STATUSES } from '../runs/runs.types.ts';
import { EXECUTOR_TYPES, NOTIFY_OUTCOMES, WORK_UNIT_KINDS, WORK_UNIT_TYPES } from './registry.types.ts';

const Label = (description: string, maxLength = 500) => Type.String({ maxLength, description });

/** A unit's id appears in URL paths, so unlike other client ids it may not hold a slash. */
export const WorkUnitId = Type.String({
  minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._:@+=-]*$',
  description: 'client-chosen slug, e.g. restart-unhealthy-1.0.0',
});
export const WorkUnitParams = Type.Object({ id: WorkUnitId });

export const Limits = Type.Object(
  {
    max_cost_usd: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e9, description: 'USD per run' })),
    max_tokens: Type.Optional(Type.Integer({ exclusiveMinimum: 0, maximum: 1e13, description: 'tokens per run' })),
    max_duration_ms: Type.Optional(Type.Integer({ exclusiveMinimum: 0, maximum: 1e12, description: 'milliseconds per run' })),
  },
  { additionalProperties: false, description: 'per-run limits the run signals compare against' },
);

const WebhookUrl = Type.String({ maxLength: 2000, format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#]+', description: 'http(s) URL the run is posted to' });
const Secret = Type.String({ minLength: 1, maxLength: 500, description: 'signs each dispatch (HMAC-SHA256); never returned' });

export const ExecutorInput = Type.Object(
  { type: Type.Literal(EXECUTOR_TYPES[0]), url: WebhookUrl, secret: Type.Optional(Secret) },
  { additionalProperties: false },
);
/** In a PATCH, an executor without `secret` keeps the current one; `secret: null` removes it. */
const ExecutorPatch = Type.Object(
  { type: Type.Literal(EXECUTOR_TYPES[0]), url: WebhookUrl, secret: Type.Optional(Nullable(Secret)) },
  { additionalProperties: false },
);
export const ExecutorOut = Type.Object({ type: Type.String(), url: Type.String(), has_secret: Type.Boolean() });

const Metadata = Type.Record(Type.String(), Type.Unknown(), { description: 'free-form attributes' });

const editable = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  version: Nullable(Label('version label', 100)),
  kind: Enum(WORK_UNIT_KINDS),
  type: Enum(WORK_UNIT_TYPES),
  author: Nullable(Label('author', 200)),
  description: Nullable(Label('description', 10_000)),
  metadata: Metadata,
  limits: Limits,
};

export const RegisterBody = Type.Object(
  {
    id: WorkUnitId,
    name: editable.name,
    version: Type.Optional(editable.version),
    kind: Type.Optional(Enum(WORK_UNIT_KINDS, 'default agent')),
    type: Type.Optional(Enum(WORK_UNIT_TYPES, 'default atomic')),
    author: Type.Optional(editable.author),
    description: Type.Optional(editable.description),
    metadata: Type.Optional(Metadata),
    limits: Type.Optional(Limits),
    executor: Type.Optional(Nullable(ExecutorInput)),
  },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const PatchBody = Type.Object(
  {
    name: Type.Optional(editable.name),
    version: Type.Optional(editable.version),
    kind: Type.Optional(editable.kind),
    type: Type.Optional(editable.type),
    author: Type.Optional(editable.author),
    description: Type.Optional(editable.description),
    metadata: Type.Optional(Metadata),
    limits: Type.Optional(Limits),
    executor: Type.Optional(Nullable(ExecutorPatch)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchBody = Static<typeof PatchBody>;

export const WorkUnit = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    version: Nullable(Type.String()),
    kind: Enum(WORK_UNIT_KINDS),
    type: Enum(WORK_UNIT_TYPES),
    author: Nullable(Type.String()),
    description: Nullable(Type.String()),
    metadata: Metadata,
    limits: Limits,
    executor: Nullable(ExecutorOut),
    registered_at: Instant(),
    updated_at: Instant(),
    latest_run_id: Nullable(Type.String({ description: 'the newest run by coalesce(started_at, created_at)' })),
    latest_run_status: Nullable(Enum(RUN_STATUSES)),
    latest_run_at: Nullable(Instant('when the latest run started (created, if it has not started)')),
    total_runs: Type.Integer(),
  },
  { $id: 'WorkUnit' },
);

export const ListWorkUnitsQuery = Type.Object(
  {
    kind: Type.Optional(Enum(WORK_UNIT_KINDS)),
    type: Type.Optional(Enum(WORK_UNIT_TYPES)),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type ListWorkUnitsQuery = Static<typeof ListWorkUnitsQuery>;

export const WorkUnitPage = Type.Object({
  work_units: Type.Array(Type.Ref(WorkUnit)),
  next_cursor: Nullable(Type.String({ description: 'pass as cursor for the next page; null at the end' })),
});

/** Seed 003: `limit` defaults to 20; pages count from 1. */
export const RunHistoryQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  },
  { additionalProperties: false },
);

export const RunHistory = Type.Object({
  workflow_id: Type.String(),
  runs: Type.Array(Type.Object({
    run_id: Type.String(),
    status: Enum(RUN_STATUSES),
    started_at: Nullable(Instant()),
    completed_at: Nullable(Instant()),
    duration_ms: Nullable(Type.Integer()),
    error: Nullable(Type.String()),
    created_at: Instant(),
  })),
  page: Type.Integer(),
  limit: Type.Integer(),
  total: Type.Integer(),
});

/**
 * Seed 003's notification ({run_id, status, duration_ms}) plus what a run's end may carry
 * (the fields of POST /runs/{id}/fail, and `reason` of a cancel).
 */
export const NotifyBody = Type.Object(
  {
    run_id: RunId,
    status: Enum(RUN_STATUSES),
    started_at: Type.Optional(Timestamp('when the run started; else completed_at - duration_ms')),
    duration_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e12 })),
    ...FailBody.properties,
    reason: Type.Optional(Type.String({ maxLength: 20_000 })),
    user_id: Type.Optional(Label('who started the run; defaults to the key owner')),
    user_name: Type.Optional(Label('display name of the user')),
    source: Type.Optional(Label('where the run comes from; default "registry"')),
    input_data: Type.Optional(Json),
    metadata: Type.Optional(Metadata),
    session_id: Type.Optional(Label('session the run belongs to')),
    trace_id: Type.Optional(Label('trace id')),
  },
  { additionalProperties: false },
);
export type NotifyBody = Static<typeof NotifyBody>;

export const NotifyResult = Type.Object({
  message: Type.String(),
  workflow_id: Type.String(),
  run_id: Type.String(),
  status: Enum(NOTIFY_OUTCOMES, 'created, updated, or unchanged (a repeat, or older than what is stored)'),
  run_status: Enum(RUN_STATUSES, "the run's status after the notification"),
});

/** POST /work-units/{id}/run: the run's input goes to the executor as is. */
export const ExecuteBody = Type.Object(
  {
    input: Type.Optional(Type.Unknown({ description: 'any JSON; sent to the executor as `input` and stored as the run\'s input_data' })),
    run_id: Type.Optional(ClientId('client-chosen run id; a repeat returns the same run and dispatches nothing more')),
    project_id: Type.Optional(ClientId('project id; defaults to the key\'s project')),
    user_name: Type.Optional(Label('display name of the user')),
  },
  { additionalProperties: false },
);
export type ExecuteBody = Static<typeof ExecuteBody>;

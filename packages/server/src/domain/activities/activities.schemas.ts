import { Type, type Static } from '@sinclair/typebox';
import { ClientId, Instant, Json, Nullable, Timestamp } from '../../http/schemas.ts';

const Label = (description: string, maxLength = 500) => Type.String({ maxLength, description });
const Word = (description: string) => Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', description });

export const Activity = Type.Object(
  {
    id: Type.String(),
    seq: Type.Integer({ description: 'position in the tenant feed; resume with after_seq' }),
    type: Type.String(),
    action_name: Type.String(),
    action_description: Nullable(Type.String()),
    target_name: Nullable(Type.String()),
    status: Nullable(Type.String()),
    duration_ms: Nullable(Type.Integer()),
    is_automated: Type.Boolean(),
    priority: Nullable(Type.Integer()),
    source: Nullable(Type.String()),
    user_id: Nullable(Type.String()),
    project_id: Nullable(Type.String()),
    workspace_id: Nullable(Type.String()),
    session_id: Nullable(Type.String()),
    run_id: Nullable(Type.String()),
    work_unit_id: Nullable(Type.String()),
    data: Json,
    data_schema: Json,
    processing_status: Type.String({ description: 'NOT_PROCESSED, PENDING, PROCESSING, COMPLETED, FAILED or SKIPPED (SPEC §6)' }),
    schema_render: Type.Unsafe<unknown>({ description: 'how to draw data: {version, strategy, title, fields, analyzer, fingerprint}; null until rendered' }),
    processed_at: Nullable(Instant()),
    processing_error: Nullable(Type.String()),
    processing_attempts: Type.Integer(),
    occurred_at: Instant(),
    created_at: Instant(),
  },
  { $id: 'Activity' },
);

export const CreateActivityBody = Type.Object(
  {
    id: Type.Optional(ClientId('client activity id; makes the create idempotent')),
    type: Type.Optional(Word('kind of activity: tool, command, prompt, session, run, …; default "activity"')),
    action_name: Label('what was done (tool, command, event)', 200),
    action_description: Type.Optional(Label('longer description', 5000)),
    target_name: Type.Optional(Label('what it was done to (file, command, url)', 2000)),
    status: Type.Optional(Word('success, failed, in_progress, …')),
    duration_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e12 })),
    is_automated: Type.Optional(Type.Boolean()),
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
    source: Type.Optional(Label('where it comes from (claude-code, sdk, …)', 200)),
    user_id: Type.Optional(Label('who did it; defaults to the key owner', 200)),
    project_id: Type.Optional(ClientId('project id')),
    workspace_id: Type.Optional(Type.String({ format: 'uuid' })),
    session_id: Type.Optional(Label('session id', 200)),
    run_id: Type.Optional(ClientId('run id')),
    work_unit_id: Type.Optional(ClientId('work unit id')),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'payload, drawn by its render' })),
    data_schema: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema of data, if known' })),
    occurred_at: Type.Optional(Timestamp('when it happened; defaults to now')),
  },
  { additionalProperties: false },
);
export type CreateActivityBody = Static<typeof CreateActivityBody>;

const StringList = (description: string) => Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20, description });

export const ListActivitiesQuery = Type.Object(
  {
    type: Type.Optional(StringList('repeat for several')),
    status: Type.Optional(StringList('repeat for several')),
    user_id: Type.Optional(Type.String({ maxLength: 200 })),
    session_id: Type.Optional(Type.String({ maxLength: 200 })),
    run_id: Type.Optional(Type.String({ maxLength: 200 })),
    work_unit_id: Type.Optional(Type.String({ maxLength: 200 })),
    source: Type.Optional(Type.String({ maxLength: 200 })),
    since: Type.Optional(Timestamp('occurred at or after')),
    until: Type.Optional(Timestamp('occurred before')),
    after_seq: Type.Optional(Type.Integer({ minimum: 0, description: 'catch-up: oldest first after this seq' })),
    cursor: Type.Optional(Type.String({ maxLength: 100, description: 'next_cursor of the previous page (newest first)' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  },
  { additionalProperties: false },
);
export type ListActivitiesQuery = Static<typeof ListActivitiesQuery>;

export const ActivityPage = Type.Object({
  activities: Type.Array(Type.Ref(Activity)),
  next_cursor: Nullable(Type.String()),
  last_seq: Type.Integer({ description: 'highest seq in this page, or the after_seq given when empty' }),
});

export const HoursQuery = Type.Object(
  { hours: Type.Integer({ minimum: 1, maximum: 720, default: 24 }) },
  { additionalProperties: false },
);

export const ActivityStats = Type.Object({
  period_hours: Type.Integer(),
  total: Type.Integer(),
  automated: Type.Integer(),
  avg_duration_ms: Nullable(Type.Number()),
  by_status: Type.Record(Type.String(), Type.Integer()),
  by_type: Type.Record(Type.String(), Type.Integer()),
  by_source: Type.Record(Type.String(), Type.Integer()),
});

/** Seed 000's ActivitySummaryResponse in snake_case. */
export const RunSummary = Type.Object({
  period_hours: Type.Integer(),
  total_runs: Type.Integer(),
  completed: Type.Integer(),
  failed: Type.Integer(),
  pending: Type.Integer(),
  running: Type.Integer(),
  cancelled: Type.Integer(),
  success_rate: Type.Number({ description: 'completed / total_runs, two decimals; 0 without runs' }),
});

/** Seed 000's ActivityEventResponse in snake_case. */
export const FeedEvent = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  type: Type.String({ description: 'run, completion, error, cancellation, delegation, or the activity type' }),
  user_id: Nullable(Type.String()),
  user_name: Nullable(Type.String()),
  work_unit_id: Nullable(Type.String()),
  work_unit_name: Nullable(Type.String()),
  timestamp: Instant(),
  details: Json,
  processing_status: Type.String(),
  schema_render: Json,
  processed_at: Nullable(Instant()),
  processing_error: Nullable(Type.String()),
  processing_attempts: Type.Integer(),
});

export const FeedQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
    user_id: Type.Optional(Type.String({ maxLength: 200, description: '/activity/my: defaults to the caller' })),
  },
  { additionalProperties: false },
);

import { Type, type Static } from '@sinclair/typebox';
import { Enum, ErrorBody, Instant, Nullable, Timestamp } from '../../http/schemas.ts';
import { RUN_STATES, RUN_STATUSES } from '../runs/runs.types.ts';
import { DIMENSIONS, PATTERN_TYPES } from './signals.constants.ts';

const ProjectFilter = { project_id: Type.Optional(Type.String({ maxLength: 200, description: 'only this project' })) };

export const StatusSummaryQuery = Type.Object(
  { ...ProjectFilter, started_after: Type.Optional(Timestamp('inclusive')), started_before: Type.Optional(Timestamp('inclusive')) },
  { additionalProperties: false },
);
export type StatusSummaryQuery = Static<typeof StatusSummaryQuery>;

export const StatusSummary = Type.Object({
  tenant_id: Type.String(),
  window: Type.Object({ started_after: Nullable(Instant()), started_before: Nullable(Instant()) }),
  summary: Type.Record(Type.String(), Type.Integer(), { description: 'finished runs by status' }),
  near_threshold_count: Type.Integer({ description: 'finished runs whose risk_level is NEAR_THRESHOLD or AT_RISK' }),
  total: Type.Integer(),
});

export const ByDimensionQuery = Type.Object(
  {
    ...ProjectFilter,
    // Checked in the service, so a wrong value gets seed 001's invalid_dimension body.
    dim: Type.String({ maxLength: 100, description: `one of ${DIMENSIONS.join(', ')}` }),
    state: Type.Unsafe<(typeof RUN_STATES)[number]>({ type: 'string', enum: [...RUN_STATES], default: 'LIVE' }),
  },
  { additionalProperties: false },
);
export type ByDimensionQuery = Static<typeof ByDimensionQuery>;

export const ByDimension = Type.Object({
  dimension: Type.String(),
  state: Type.String(),
  buckets: Type.Array(Type.Object({ key: Type.String(), count: Type.Integer() })),
  total_runs: Type.Integer(),
});

/** The 400 of this route: seed 001's invalid_dimension fields, or a plain validation error. */
export const InvalidDimensionBody = Type.Object({
  ...ErrorBody.properties,
  allowed: Type.Optional(Type.Array(Type.String())),
  received: Type.Optional(Type.String()),
});

export const PatternsQuery = Type.Object(
  {
    ...ProjectFilter,
    window: Type.String({ pattern: '^[1-9][0-9]{0,4}[mhd]$', default: '24h', description: 'how far back runs started: 30m, 24h, 7d (at most 30d)' }),
    slow_threshold_ms: Type.Integer({ minimum: 1_000, maximum: 86_400_000, default: 5_000, description: 'a step slower than this is slow' }),
  },
  { additionalProperties: false },
);
export type PatternsQuery = Static<typeof PatternsQuery>;

export const Patterns = Type.Object({
  window: Type.Object({ start: Instant(), end: Instant() }),
  patterns: Type.Array(Type.Object({
    pattern_type: Enum(PATTERN_TYPES),
    run_ids: Type.Array(Type.String()),
    count: Type.Integer({ description: 'runs showing the pattern (run_ids lists the top 10)' }),
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
    details: Type.Record(Type.String(), Type.Unknown()),
  })),
});

export const ProjectQuery = Type.Object(ProjectFilter, { additionalProperties: false });

export const CostAnalysis = Type.Object({
  window: Type.Object({ current: Type.String(), baseline: Type.String() }),
  agents: Type.Array(Type.Object({
    agent_id: Type.String(),
    current_cost_usd: Type.Number({ description: 'mean cost of the runs started in the last 24 h' }),
    total_cost_usd: Type.Number(),
    baseline_avg_usd: Nullable(Type.Number()),
    baseline_stddev_usd: Nullable(Type.Number()),
    baseline_p95_usd: Nullable(Type.Number()),
    baseline_run_count: Type.Integer(),
    has_baseline: Type.Boolean(),
    z_score: Nullable(Type.Number()),
    is_anomaly: Type.Boolean(),
    run_count: Type.Integer(),
  })),
  total_anomalies: Type.Integer(),
  total_cost_usd: Type.Number(),
});

export const AttentionQuery = Type.Object(
  { ...ProjectFilter, limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) },
  { additionalProperties: false },
);
export type AttentionQuery = Static<typeof AttentionQuery>;

export const AttentionQueue = Type.Object({
  queue: Type.Array(Type.Object({
    run_id: Type.String(),
    attention_score: Type.Number(),
    reasons: Type.Array(Type.String()),
    state: Enum(RUN_STATES),
    status: Enum(RUN_STATUSES),
    started_at: Nullable(Instant()),
  })),
  total_attention_items: Type.Integer({ description: 'runs needing attention, of which queue holds the top `limit`' }),
  weights_version: Type.String(),
  weights: Type.Record(Type.String(), Type.Number()),
  generated_at: Instant(),
});


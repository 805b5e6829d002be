/** Frozen enums shared by the SQL, the TypeScript types and the API schemas. */
export const RUN_STATUSES = Object.freeze(['pending', 'running', 'completed', 'failed', 'cancelled'] as const);
export type RunStatus = (typeof RUN_STATUSES)[number];

export const END_STATUSES: readonly RunStatus[] = Object.freeze(['completed', 'failed', 'cancelled'] as const);

export const RUN_STATES = Object.freeze(['LIVE', 'COMPLETED'] as const);
export type RunState = (typeof RUN_STATES)[number];

export const COST_SOURCES = Object.freeze(['reported', 'computed', 'unknown'] as const);
export type CostSource = (typeof COST_SOURCES)[number];

export const RISK_LEVELS = Object.freeze(['OK', 'NEAR_THRESHOLD', 'AT_RISK', 'VIOLATED'] as const);
export type RiskLevel = (typeof RISK_LEVELS)[number];
export const LATENCY_BUCKETS = Object.freeze(['NORMAL', 'SLOW', 'STALLED'] as const);
export type LatencyBucket = (typeof LATENCY_BUCKETS)[number];
export const EVIDENCE_HEALTH = Object.freeze(['HEALTHY', 'DEGRADED', 'MISSING'] as const);
export type EvidenceHealth = (typeof EVIDENCE_HEALTH)[number];
export const INTEGRITY_STATUSES = Object.freeze(['VERIFIED', 'INCOMPLETE', 'UNKNOWN'] as const);
export type IntegrityStatus = (typeof INTEGRITY_STATUSES)[number];
export const STEP_KINDS = Object.freeze(['llm', 'tool', 'agent', 'other'] as const);
export const WORK_UNIT_TYPES = Object.freeze(['atomic', 'composite'] as const);

export function stateOf(status: RunStatus): RunState {
  return END_STATUSES.includes(status) ? 'COMPLETED' : 'LIVE';
}

/** The actions of POST /runs/{id}/<action> and the statuses each may start from. */
export const TRANSITIONS = Object.freeze({
  start: { from: ['pending'], to: 'running' },
  heartbeat: { from: ['pending', 'running'], to: null },
  complete: { from: ['running'], to: 'completed' },
  fail: { from: ['pending', 'running'], to: 'failed' },
  cancel: { from: ['pending', 'running'], to: 'cancelled' },
} as const satisfies Record<string, { from: readonly RunStatus[]; to: RunStatus | null }>);
export type RunAction = keyof typeof TRANSITIONS;

export interface TokenUsage {
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
}

export interface RunRow extends TokenUsage {
  tenant_id: string;
  id: string;
  project_id: string | null;
  work_unit_id: string | null;
  work_unit_type: string | null;
  work_unit_name: string | null;
  agent_id: string | null;
  user_id: string | null;
  user_name: string | null;
  source: string | null;
  provider_type: string | null;
  model: string | null;
  is_synthetic: boolean;
  status: RunStatus;
  state: RunState;
  input_data: unknown;
  output_data: unknown;
  metadata: unknown;
  error: string | null;
  error_type: string | null;
  started_at: Date | null;
  last_seen_at: Date;
  completed_at: Date | null;
  duration_ms: number | null;
  estimated_cost_usd: number | null;
  cost_source: CostSource | null;
  risk_level: RiskLevel | null;
  latency_bucket: LatencyBucket | null;
  evidence_health: EvidenceHealth | null;
  integrity_status: IntegrityStatus | null;
  incident_count: number;
  policy_draft_count: number;
  policy_violation: boolean;
  session_id: string | null;
  trace_id: string | null;
  external_id: string | null;
  reported_step_count: number | null;
  end_request_hash: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface StepRow {
  run_id: string;
  trace_id: string | null;
  step_index: number;
  skill_id: string | null;
  skill_name: string | null;
  kind: string;
  status: string | null;
  outcome_category: string | null;
  outcome_code: string | null;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_cents: number | null;
  duration_ms: number | null;
  retry_count: number;
  started_at: Date;
}

/** Shapes of the API answers the dashboard reads (see /openapi.json). */
export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export type RiskLevel = 'OK' | 'NEAR_THRESHOLD' | 'AT_RISK' | 'VIOLATED';

export interface RenderField { path: string; label: string; format?: string | null }
export interface SchemaRender {
  version?: number;
  strategy: string;
  title?: string | null;
  fields?: RenderField[];
  analyzer?: string;
  fingerprint?: string;
}

export interface Activity {
  id: string;
  seq: number;
  type: string;
  action_name: string;
  action_description: string | null;
  target_name: string | null;
  status: string | null;
  duration_ms: number | null;
  is_automated: boolean;
  priority: number | null;
  source: string | null;
  user_id: string | null;
  project_id: string | null;
  workspace_id: string | null;
  session_id: string | null;
  run_id: string | null;
  work_unit_id: string | null;
  data: unknown;
  data_schema: unknown;
  processing_status: string;
  schema_render: SchemaRender | null;
  occurred_at: string;
  created_at: string;
}

export interface ActivityPage { activities: Activity[]; next_cursor: string | null; last_seq: number }

export interface Run {
  id: string;
  project_id: string | null;
  work_unit_id: string | null;
  work_unit_name: string | null;
  agent_id: string | null;
  user_id: string | null;
  user_name: string | null;
  source: string | null;
  provider_type: string | null;
  model: string | null;
  status: RunStatus;
  state: 'LIVE' | 'COMPLETED';
  input_data: unknown;
  output_data: unknown;
  metadata: unknown;
  error: string | null;
  error_type: string | null;
  started_at: string | null;
  last_seen_at: string;
  completed_at: string | null;
  duration_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
  estimated_cost_usd: number | null;
  cost_source: 'reported' | 'computed' | 'unknown' | null;
  risk_level: RiskLevel | null;
  latency_bucket: 'NORMAL' | 'SLOW' | 'STALLED' | null;
  evidence_health: 'HEALTHY' | 'DEGRADED' | 'MISSING' | null;
  integrity_status: 'VERIFIED' | 'INCOMPLETE' | 'UNKNOWN' | null;
  incident_count: number;
  policy_violation: boolean;
  session_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface RunPage { runs: Run[]; next_cursor: string | null }

export interface Step {
  run_id: string;
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
  started_at: string;
}

export interface LiveEvent { type: string; seq: number; data: any }

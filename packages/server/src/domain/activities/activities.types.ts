/** Seed 000's event-type mapping: what a run status shows as in the feed. */
export const RUN_EVENT_TYPES = Object.freeze({
  pending: 'run',
  running: 'run',
  completed: 'completion',
  failed: 'error',
  cancelled: 'cancellation',
} as const);

/** What the team feeds (seed 000) show: run transitions and delegations. */
export const TEAM_FEED_TYPES = Object.freeze(['run', 'completion', 'error', 'cancellation', 'delegation'] as const);

export interface NewActivity {
  id: string;
  project_id?: string | null;
  workspace_id?: string | null;
  user_id?: string | null;
  type: string;
  action_name: string;
  action_description?: string | null;
  target_name?: string | null;
  status?: string | null;
  duration_ms?: number | null;
  is_automated?: boolean;
  priority?: number | null;
  source?: string | null;
  session_id?: string | null;
  run_id?: string | null;
  work_unit_id?: string | null;
  data?: unknown;
  data_schema?: unknown;
  occurred_at?: Date | string | null;
}

/** A render its shape has in render_cache: stored by reference (migration 0019). */
export interface KnownRender {
  render: object;
  analyzerKey: string;
  fingerprint: string;
}

export interface ActivityRow extends Required<Omit<NewActivity, 'occurred_at'>> {
  tenant_id: string;
  seq: number;
  processing_status: string;
  schema_render: unknown;
  processed_at: Date | null;
  processing_error: string | null;
  processing_attempts: number;
  occurred_at: Date;
  created_at: Date;
}

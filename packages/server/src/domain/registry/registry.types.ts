import type { RunStatus } from '../runs/runs.types.ts';
import { WORK_UNIT_TYPES } from '../runs/runs.types.ts';

/** Frozen enums shared by the SQL, the TypeScript types and the API schemas. */
export const WORK_UNIT_KINDS = Object.freeze(['agent', 'pipeline', 'workflow'] as const);
export type WorkUnitKind = (typeof WORK_UNIT_KINDS)[number];
export { WORK_UNIT_TYPES };
export type WorkUnitType = (typeof WORK_UNIT_TYPES)[number];
export const EXECUTOR_TYPES = Object.freeze(['webhook'] as const);

/** What a notification did: stored a new run, moved an existing one, or nothing (a repeat or a stale report). */
export const NOTIFY_OUTCOMES = Object.freeze(['created', 'updated', 'unchanged'] as const);
export type NotifyOutcome = (typeof NOTIFY_OUTCOMES)[number];

export interface Limits {
  max_cost_usd?: number;
  max_tokens?: number;
  max_duration_ms?: number;
}

/** Stored as is: the secret is kept in clear because signing a dispatch (HMAC) needs it. */
export interface WebhookExecutor {
  type: 'webhook';
  url: string;
  secret?: string;
}

export interface WorkUnitRow {
  tenant_id: string;
  id: string;
  name: string;
  version: string | null;
  kind: WorkUnitKind;
  type: WorkUnitType;
  author: string | null;
  description: string | null;
  metadata: Record<string, unknown>;
  limits: Limits;
  executor: WebhookExecutor | null;
  registered_at: Date;
  updated_at: Date;
  latest_run_id: string | null;
  latest_run_status: RunStatus | null;
  latest_run_at: Date | null;
  total_runs: number;
}

/** One entry of a unit's run history (seed 003's run fields, plus the run's times). */
export interface WorkUnitRunRow {
  run_id: string;
  status: RunStatus;
  started_at: Date | null;
  completed_at: Date | null;
  duration_ms: number | null;
  error: string | null;
  created_at: Date;
}

import type { ActivityOptions, RunOptions, StepOptions } from './types.js';

/** The /ingest item types this client sends (the server's batch schema names them). */
export type ItemType = 'run.create' | 'run.heartbeat' | 'run.complete' | 'run.fail' | 'steps.append' | 'activity.create';

/** The most items /ingest takes in one request, and the most steps in one steps.append. */
export const MAX_BATCH_ITEMS = 1000;
export const MAX_STEPS_PER_ITEM = 1000;

export function isoTime(value: Date | string | undefined, fallback: Date): string {
  if (value === undefined) return fallback.toISOString();
  return typeof value === 'string' ? value : value.toISOString();
}

export function runCreateBody(id: string, o: RunOptions, startedAt: string): Record<string, unknown> {
  return {
    id,
    status: 'running',
    started_at: startedAt,
    external_id: o.externalId,
    work_unit_name: o.workUnitName,
    work_unit_id: o.workUnitId,
    work_unit_type: o.workUnitType,
    agent_id: o.agentId,
    project_id: o.projectId,
    user_id: o.userId,
    user_name: o.userName,
    source: o.source ?? 'sdk',
    provider_type: o.providerType,
    model: o.model,
    session_id: o.sessionId,
    trace_id: o.traceId,
    is_synthetic: o.isSynthetic,
    input_data: o.input,
    metadata: o.metadata,
  };
}

export function stepBody(index: number, s: StepOptions, now: Date): Record<string, unknown> {
  const startedAt = s.startedAt ?? (s.durationMs !== undefined ? new Date(now.getTime() - s.durationMs) : now);
  return {
    step_index: index,
    kind: s.kind,
    skill_id: s.skillId,
    skill_name: s.skillName,
    status: s.status,
    outcome_category: s.outcomeCategory,
    outcome_code: s.outcomeCode,
    model: s.model,
    input_tokens: s.inputTokens,
    output_tokens: s.outputTokens,
    cost_cents: s.costCents,
    duration_ms: s.durationMs,
    retry_count: s.retryCount,
    started_at: isoTime(startedAt, now),
  };
}

export function activityBody(id: string, a: ActivityOptions, now: Date): Record<string, unknown> {
  return {
    id,
    type: a.type,
    action_name: a.actionName,
    action_description: a.actionDescription,
    target_name: a.targetName,
    status: a.status,
    duration_ms: a.durationMs,
    is_automated: a.isAutomated,
    priority: a.priority,
    source: a.source ?? 'sdk',
    user_id: a.userId,
    project_id: a.projectId,
    workspace_id: a.workspaceId,
    session_id: a.sessionId,
    run_id: a.runId,
    work_unit_id: a.workUnitId,
    data: a.data,
    data_schema: a.dataSchema,
    occurred_at: isoTime(a.occurredAt, now),
  };
}

/** Result of one item, as /ingest answers it. */
export interface ItemResult {
  index: number;
  status: number;
  id?: string;
  error?: string;
  message?: string;
}

/**
 * A body as JSON, taken now so later changes to the caller's objects never change what is
 * sent (a resend must be byte-identical). Payload fields that cannot be encoded (cycles,
 * BigInt) become null, and the first problem is returned to be reported.
 */
export function encodeBody(body: Record<string, unknown>, payloadFields: readonly string[]): { json: string; problem?: string } {
  try {
    return { json: JSON.stringify(body) };
  } catch (err) {
    const cleaned = { ...body };
    for (const field of payloadFields) {
      try {
        JSON.stringify(cleaned[field]);
      } catch {
        cleaned[field] = null;
      }
    }
    try {
      return { json: JSON.stringify(cleaned), problem: String((err as Error)?.message ?? err) };
    } catch (again) {
      return { json: '{}', problem: String((again as Error)?.message ?? again) };
    }
  }
}

import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/database.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { hashOf } from '../../lib/stable-json.ts';
import { clientTime } from '../../lib/time.ts';
import { RUN_EVENT_TYPES, type NewActivity } from '../activities/activities.types.ts';
import { usageProblem } from '../pricing/cost.ts';
import type { PricingService } from '../pricing/pricing.service.ts';
import type { RunPatch } from './runs.repository.ts';
import type { EndBody, StartBody } from './runs.schemas.ts';
import { TRANSITIONS, stateOf, type RunAction, type RunRow, type RunStatus, type TokenUsage } from './runs.types.ts';

/**
 * The rules of a run's status, shared by the REST routes and batch ingestion:
 * which moves are legal, what an end request changes (usage, cost, duration), when a repeat
 * is a no-op, and the activity each move appends.
 */
export type TransitionAction = Exclude<RunAction, 'heartbeat'>;
export type TransitionBody = EndBody & StartBody;

const ACTION_NAMES: Record<RunStatus, string> = {
  pending: 'run.created',
  running: 'run.started',
  completed: 'run.completed',
  failed: 'run.failed',
  cancelled: 'run.cancelled',
};

/** The feed entry a transition appends (seed 000's event-type mapping). */
export function transitionActivity(run: RunRow, at: Date): NewActivity {
  const label = run.work_unit_name ?? run.work_unit_id ?? run.agent_id ?? run.id;
  return {
    id: randomUUID(),
    project_id: run.project_id,
    user_id: run.user_id,
    type: RUN_EVENT_TYPES[run.status],
    action_name: ACTION_NAMES[run.status],
    action_description: `Run ${label} ${run.status}`,
    target_name: label,
    status: run.status,
    duration_ms: run.duration_ms,
    is_automated: true,
    source: run.source,
    session_id: run.session_id,
    run_id: run.id,
    work_unit_id: run.work_unit_id,
    data: {
      run_id: run.id,
      status: run.status,
      work_unit_name: run.work_unit_name,
      user_name: run.user_name,
      error: run.error,
      error_type: run.error_type,
      estimated_cost_usd: run.estimated_cost_usd,
      model: run.model,
    },
    occurred_at: at,
  };
}

function usageOf(body: EndBody, run: RunRow): TokenUsage {
  const pick = (k: keyof TokenUsage) => body[k] ?? run[k] ?? null;
  return {
    input_tokens: pick('input_tokens'),
    output_tokens: pick('output_tokens'),
    cache_read_tokens: pick('cache_read_tokens'),
    cache_write_tokens: pick('cache_write_tokens'),
    reasoning_tokens: pick('reasoning_tokens'),
  };
}

/** Fields of the end transitions (complete, fail, cancel), with the run's cost. */
async function endPatch(
  pricing: PricingService, tx: Queryable, run: RunRow, action: 'complete' | 'fail' | 'cancel', body: EndBody, now: Date,
): Promise<RunPatch> {
  const usage = usageOf(body, run);
  const problem = usageProblem(usage);
  if (problem) throw new ValidationError(problem.field, problem.message);
  const completedAt = clientTime('completed_at', body.completed_at, now) ?? now;
  const startedAt = run.started_at;
  if (startedAt && completedAt < startedAt) {
    throw new ValidationError('completed_at', 'must not be before the run started', { started_at: startedAt.toISOString() });
  }
  const model = body.model ?? run.model;
  const provider = body.provider_type ?? run.provider_type;
  const cost = await pricing.costFor(
    run.tenant_id,
    { provider_type: provider, model, at: startedAt ?? run.created_at, reported: body.estimated_cost_usd ?? null },
    usage,
    tx,
  );
  const to = TRANSITIONS[action].to;
  return {
    status: to,
    state: stateOf(to),
    completed_at: completedAt,
    duration_ms: startedAt ? completedAt.getTime() - startedAt.getTime() : null,
    output_data: body.output_data,
    error: action === 'fail' ? body.error ?? null : action === 'cancel' ? body.reason ?? null : undefined,
    error_type: action === 'fail' ? body.error_type ?? null : undefined,
    ...usage,
    ...cost,
    model,
    provider_type: provider,
    reported_step_count: body.step_count,
    policy_violation: body.policy_violation,
    incident_count: body.incident_count,
    end_request_hash: hashOf({ action, body }),
  };
}

/**
 * What `action` does to `run`: null when it is a repeat that changes nothing (start of a
 * running run; the same end request again), else the patch. Illegal moves throw 409 with the
 * current status.
 */
export async function planTransition(
  pricing: PricingService, tx: Queryable, run: RunRow, action: TransitionAction, body: TransitionBody, now: Date,
): Promise<RunPatch | null> {
  const rule = TRANSITIONS[action];
  if (run.status === rule.to && (action === 'start' || run.end_request_hash === hashOf({ action, body }))) return null;
  if (!(rule.from as readonly RunStatus[]).includes(run.status)) {
    throw new ConflictError('illegal_transition', `cannot ${action} a run that is ${run.status}`, { status: run.status, action });
  }
  if (action === 'start') {
    return { status: 'running', state: 'LIVE', started_at: clientTime('started_at', body.started_at, now) ?? now };
  }
  return endPatch(pricing, tx, run, action, body, now);
}

/** When the activity of a move happened: the run's start or its end. */
export function transitionTime(run: RunRow): Date {
  return run.status === 'running' ? run.started_at! : run.completed_at ?? run.started_at ?? run.created_at;
}

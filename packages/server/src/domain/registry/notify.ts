import type { Queryable } from '../../db/database.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { CLOCK_SKEW_MS } from '../../lib/time.ts';
import type { NewActivity } from '../activities/activities.types.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import type { PricingService } from '../pricing/pricing.service.ts';
import { insertRuns, lockRun, updateRun } from '../runs/runs.repository.ts';
import { toNewRun } from '../runs/runs.service.ts';
import { deriveFinishedRuns } from '../signals/derive.repository.ts';
import type { RunRow, RunStatus } from '../runs/runs.types.ts';
import { planTransition, transitionActivity, transitionTime, type TransitionAction, type TransitionBody } from '../runs/transitions.ts';
import { claimRun } from './registry.repository.ts';
import type { NotifyBody } from './registry.schemas.ts';
import type { NotifyOutcome, WorkUnitRow } from './registry.types.ts';

/**
 * Seed 003's run notification, applied with the run lifecycle's own rules (transitions.ts).
 * A notification states where a run is now; it is turned into the transitions that take the
 * stored run there. One that states where the run already is, or a status it has already
 * left (reports arriving out of order), changes nothing.
 */
const RANK: Record<RunStatus, number> = { pending: 0, running: 1, completed: 2, failed: 2, cancelled: 2 };
const END_ACTIONS = { completed: 'complete', failed: 'fail', cancelled: 'cancel' } as const;

/**
 * The transitions from `from` to `to`. A completed run has to have run; a failed or cancelled
 * one goes through running only when the notification says when it started.
 */
export function stepsTo(from: RunStatus, to: RunStatus, hasStart: boolean): TransitionAction[] {
  if (from === to || RANK[to] < RANK[from]) return [];
  if (to === 'running') return ['start'];
  const end = END_ACTIONS[to as keyof typeof END_ACTIONS];
  return from === 'pending' && (to === 'completed' || hasStart) ? ['start', end] : [end];
}

const hasStart = (body: NotifyBody) => body.started_at !== undefined || body.duration_ms !== undefined;

/** started_at as given, else completed_at (or now) - duration_ms, else the end time for a finished run. */
function startTime(body: NotifyBody, now: Date): string | undefined {
  if (body.started_at) return body.started_at;
  const end = body.completed_at ? new Date(body.completed_at) : now;
  if (body.duration_ms !== undefined) return new Date(end.getTime() - body.duration_ms).toISOString();
  return RANK[body.status] === 2 ? end.toISOString() : undefined;
}

/** The end request: completed_at as given, else started_at + duration_ms, else now (planTransition's default). */
function endBody(body: NotifyBody, run: RunRow, now: Date): TransitionBody {
  const { run_id: _r, status: _s, started_at: _a, duration_ms, user_id: _u, user_name: _n, source: _o, input_data: _i,
    metadata: _m, session_id: _e, trace_id: _t, ...end } = body;
  if (end.completed_at || duration_ms === undefined || !run.started_at) return end;
  const completedAt = new Date(run.started_at.getTime() + duration_ms);
  if (completedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new ValidationError('duration_ms', 'ends in the future counted from the run\'s started_at', { started_at: run.started_at.toISOString() });
  }
  return { ...end, completed_at: completedAt.toISOString() };
}

function newRun(auth: AuthContext, unit: WorkUnitRow, body: NotifyBody, running: boolean, now: Date) {
  return toNewRun(auth, {
    id: body.run_id,
    work_unit_id: unit.id,
    work_unit_name: unit.name,
    work_unit_type: unit.type,
    status: running ? 'running' : 'pending',
    started_at: running ? startTime(body, now) : undefined,
    source: body.source ?? 'registry',
    ...(['user_id', 'user_name', 'input_data', 'metadata', 'session_id', 'trace_id', 'model', 'provider_type'] as const)
      .reduce((picked, k) => (body[k] === undefined ? picked : { ...picked, [k]: body[k] }), {}),
  }, now);
}

export interface NotifyWrite {
  run: RunRow;
  outcome: NotifyOutcome;
  /** Transition activities to append, last in the caller's transaction. */
  activities: NewActivity[];
}

/**
 * Creates or moves the run inside `tx` (the run row locked first, as every run write does).
 * A concurrent first notification of the same run loses the insert and then waits for the
 * winner's row, so it is applied against what the winner stored.
 */
export async function applyNotification(
  pricing: PricingService, tx: Queryable, auth: AuthContext, unit: WorkUnitRow, body: NotifyBody, now: Date,
): Promise<NotifyWrite> {
  const activities: NewActivity[] = [];
  let outcome: NotifyOutcome = 'unchanged';
  let run = await lockRun(tx, auth.tenantId, body.run_id);
  let steps: TransitionAction[] = [];
  if (!run) {
    steps = stepsTo('pending', body.status, hasStart(body));
    const running = steps[0] === 'start';
    const [inserted] = await insertRuns(tx, auth.tenantId, [newRun(auth, unit, body, running, now)]);
    if (inserted) {
      run = inserted;
      outcome = 'created';
      steps = steps.slice(running ? 1 : 0);
      activities.push(transitionActivity(run, transitionTime(run)));
    } else run = (await lockRun(tx, auth.tenantId, body.run_id))!;
  }
  if (outcome !== 'created') {
    if (run.work_unit_id === null) {
      run = await claimRun(tx, auth.tenantId, run.id, unit);
      outcome = 'updated';
    } else if (run.work_unit_id !== unit.id) {
      throw new ConflictError('run_in_other_work_unit', `run ${run.id} belongs to work unit ${run.work_unit_id}`, { work_unit_id: run.work_unit_id });
    }
    steps = stepsTo(run.status, body.status, hasStart(body));
  }
  for (const action of steps) {
    const request = action === 'start' ? { started_at: startTime(body, now) } : endBody(body, run, now);
    const patch = await planTransition(pricing, tx, run, action, request as TransitionBody, now);
    if (!patch) continue;
    run = await updateRun(tx, auth.tenantId, run.id, patch, now);
    activities.push(transitionActivity(run, transitionTime(run)));
    if (outcome === 'unchanged') outcome = 'updated';
  }
  // A finished run's signals, as the run routes derive them (also after joining a unit with limits).
  if (outcome !== 'unchanged' && run.state === 'COMPLETED') run = (await deriveFinishedRuns(tx, auth.tenantId, [run.id]))[0] ?? run;
  return { run, outcome, activities };
}

import type { Queryable } from '../../db/database.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { CLOCK_SKEW_MS } from '../../lib/time.ts';
import { runUpdated, type LiveEvent } from '../../events/live-events.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import { lockRuns } from '../runs/runs.repository.ts';
import type { CreateRunBody } from '../runs/runs.schemas.ts';
import type { RunRow, RunStatus } from '../runs/runs.types.ts';
import type { TransitionAction, TransitionBody } from '../runs/transitions.ts';
import { deriveFinishedRuns } from '../signals/derive.repository.ts';
import type { Intent } from '../write/intents.ts';
import { orThrow, type WriteService } from '../write/write.service.ts';
import { claimRun, refreshWorkUnitStats } from './registry.repository.ts';
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
function endBody(body: NotifyBody, startedAt: Date | null, now: Date): TransitionBody {
  const { run_id: _r, status: _s, started_at: _a, duration_ms, user_id: _u, user_name: _n, source: _o, input_data: _i,
    metadata: _m, session_id: _e, trace_id: _t, ...end } = body;
  if (end.completed_at || duration_ms === undefined || !startedAt) return end;
  const completedAt = new Date(startedAt.getTime() + duration_ms);
  if (completedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new ValidationError('duration_ms', 'ends in the future counted from the run\'s started_at', { started_at: startedAt.toISOString() });
  }
  return { ...end, completed_at: completedAt.toISOString() };
}

/** The create request of a run first heard of through its unit. */
function createBody(unit: WorkUnitRow, body: NotifyBody, now: Date): CreateRunBody {
  const running = stepsTo('pending', body.status, hasStart(body))[0] === 'start';
  return {
    id: body.run_id,
    work_unit_id: unit.id,
    work_unit_name: unit.name,
    work_unit_type: unit.type,
    status: running ? 'running' : 'pending',
    started_at: running ? startTime(body, now) : undefined,
    source: body.source ?? 'registry',
    ...(['user_id', 'user_name', 'input_data', 'metadata', 'session_id', 'trace_id', 'model', 'provider_type'] as const)
      .reduce((picked, k) => (body[k] === undefined ? picked : { ...picked, [k]: body[k] }), {}),
  } as CreateRunBody;
}

/** The transitions that take the stored run where the notification says it is, as intents. */
function transitionIntents(auth: AuthContext, run: RunRow, body: NotifyBody, now: Date): Intent[] {
  const actions = stepsTo(run.status, body.status, hasStart(body));
  const startedAt = actions[0] === 'start' ? new Date(startTime(body, now) ?? now) : run.started_at;
  return actions.map((action) => ({
    type: `run.${action}` as const, id: run.id, auth, at: '',
    body: (action === 'start' ? { started_at: startTime(body, now) } : endBody(body, startedAt, now)) as Record<string, unknown>,
  }));
}

export interface NotifyWrite {
  run: RunRow;
  outcome: NotifyOutcome;
  /** Live events to publish after commit. */
  events: LiveEvent[];
}

/**
 * Seed 003's notification as intents for the one writer, inside `tx`: the run is created if it
 * is new (a concurrent first notification of the same run loses the insert and waits for the
 * winner's row), claimed by the unit if it had none, then moved forward from where it is.
 */
export async function applyNotification(
  writes: Pick<WriteService, 'apply'>, tx: Queryable, auth: AuthContext, unit: WorkUnitRow, body: NotifyBody, now: Date,
): Promise<NotifyWrite> {
  const events: LiveEvent[] = [];
  const write = async (intents: Intent[]) => {
    const outcome = await writes.apply(tx, auth.tenantId, intents);
    events.push(...outcome.events);
    return outcome.results.map(orThrow);
  };
  let outcome: NotifyOutcome = 'unchanged';
  let [run] = await lockRuns(tx, auth.tenantId, [body.run_id]);
  if (!run) {
    const [created] = await write([{ type: 'run.create', id: body.run_id, body: createBody(unit, body, now) as Record<string, unknown>, auth, at: '' }]);
    run = created!.run!;
    if (created!.status === 201) outcome = 'created';
  }
  let claimed = false;
  if (outcome !== 'created' && run.work_unit_id === null) {
    run = await claimRun(tx, auth.tenantId, run.id, unit);
    claimed = true;
  } else if (run.work_unit_id !== unit.id) {
    throw new ConflictError('run_in_other_work_unit', `run ${run.id} belongs to work unit ${run.work_unit_id}`, { work_unit_id: run.work_unit_id });
  }
  const moves = transitionIntents(auth, run, body, now);
  if (moves.length > 0) {
    run = (await write(moves)).at(-1)!.run!;
    if (outcome === 'unchanged') outcome = 'updated';
  } else if (claimed) {
    // Joining a unit with limits changes a finished run's signals and the unit's figures.
    if (run.state === 'COMPLETED') run = (await deriveFinishedRuns(tx, auth.tenantId, [run.id]))[0] ?? run;
    await refreshWorkUnitStats(tx, auth.tenantId, [unit.id]);
    events.push(runUpdated(auth.tenantId, run, 0));
    outcome = 'updated';
  }
  // Created, then moved: the run goes out once, in its final state (the last run_updated).
  const last = events.filter((e) => e.type === 'run_updated').at(-1);
  return { run, outcome, events: last ? [last, ...events.filter((e) => e.type !== 'run_updated')] : events };
}

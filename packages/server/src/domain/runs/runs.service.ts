import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../../db/database.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { hashOf } from '../../lib/stable-json.ts';
import { clientTime } from '../../lib/time.ts';
import type { EventBus, LiveEvent } from '../../realtime/event-bus.ts';
import { appendActivities } from '../activities/activities.repository.ts';
import { RUN_EVENT_TYPES, type ActivityRow } from '../activities/activities.types.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import { usageProblem } from '../pricing/cost.ts';
import type { PricingService } from '../pricing/pricing.service.ts';
import * as repo from './runs.repository.ts';
import type { CreateRunBody, EndBody, ListRunsQuery, StartBody, StepInput } from './runs.schemas.ts';
import { TRANSITIONS, stateOf, type RunAction, type RunRow, type RunStatus, type TokenUsage } from './runs.types.ts';

export interface RunsServiceDeps {
  db: Database;
  pricing: PricingService;
  bus: EventBus;
}

const ACTION_NAMES: Record<RunStatus, string> = {
  pending: 'run.created',
  running: 'run.started',
  completed: 'run.completed',
  failed: 'run.failed',
  cancelled: 'run.cancelled',
};

/** The row as the API shows it: internal bookkeeping columns removed. */
export function toRunDto(row: RunRow) {
  const { tenant_id: _t, end_request_hash: _h, reported_step_count: _c, ...dto } = row;
  return dto;
}

/** The feed entry a transition appends (seed 000's event-type mapping). */
function transitionActivity(run: RunRow, at: Date) {
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

export function createRunsService({ db, pricing, bus }: RunsServiceDeps) {
  /** Writes the run's activity last in the transaction (the seq lock is held until commit). */
  async function recordTransition(tx: Queryable, tenantId: string, run: RunRow, at: Date): Promise<ActivityRow> {
    const [activity] = await appendActivities(tx, tenantId, [transitionActivity(run, at)]);
    return activity!;
  }

  function publish(tenantId: string, run: RunRow, activity: ActivityRow | null) {
    const events: LiveEvent[] = [{ tenantId, type: 'run_updated', seq: activity?.seq ?? 0, data: toRunDto(run) }];
    if (activity) events.push({ tenantId, type: 'activity_created', seq: activity.seq, data: activity });
    bus.publish(events);
  }

  async function requireRun(db: Queryable, tenantId: string, id: string): Promise<RunRow> {
    const run = await repo.getRun(db, tenantId, id);
    if (!run) throw new NotFoundError('run', id);
    return run;
  }

  /** Fields of the end transitions (complete, fail, cancel) and the run's cost. */
  async function endPatch(tx: Queryable, tenantId: string, run: RunRow, action: 'complete' | 'fail' | 'cancel', body: EndBody, now: Date): Promise<repo.RunPatch> {
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
      tenantId,
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
      output_data: body.output_data === undefined ? undefined : body.output_data,
      error: action === 'fail' ? body.error ?? null : action === 'cancel' ? body.reason ?? null : undefined,
      error_type: action === 'fail' ? body.error_type ?? null : undefined,
      ...usage,
      ...cost,
      model,
      provider_type: provider,
      reported_step_count: body.step_count,
      end_request_hash: hashOf({ action, body }),
    };
  }

  return {
    toRunDto,

    /** Idempotent on a client `id` or `external_id`: an existing run is returned unchanged. */
    async create(auth: AuthContext, body: CreateRunBody): Promise<{ run: RunRow; created: boolean }> {
      const now = new Date();
      const status = body.status ?? 'pending';
      const startedAt = clientTime('started_at', body.started_at, now);
      if (startedAt && status !== 'running') {
        throw new ValidationError('started_at', 'is only accepted with status "running" (a pending run has not started)');
      }
      const result = await db.transaction(async (tx) => {
        const inserted = await repo.insertRun(tx, auth.tenantId, {
          ...body,
          id: body.id ?? randomUUID(),
          user_id: body.user_id ?? auth.userId,
          project_id: body.project_id ?? auth.projectId,
          is_synthetic: body.is_synthetic ?? false,
          status,
          state: stateOf(status),
          started_at: status === 'running' ? startedAt ?? now : null,
        });
        if (!inserted) return { run: await repo.findRunByIdOrExternal(tx, auth.tenantId, body.id ?? null, body.external_id ?? null), activity: null };
        return { run: inserted, activity: await recordTransition(tx, auth.tenantId, inserted, inserted.started_at ?? now) };
      });
      if (!result.run) throw new ConflictError('run_exists', 'a run with this id or external_id was being created concurrently; retry');
      if (result.activity) publish(auth.tenantId, result.run, result.activity);
      return { run: result.run, created: result.activity !== null };
    },

    get: (auth: AuthContext, id: string) => requireRun(db, auth.tenantId, id),

    async heartbeat(auth: AuthContext, id: string): Promise<RunRow> {
      const run = await repo.touchLiveRun(db, auth.tenantId, id);
      if (run) return run;
      const current = await requireRun(db, auth.tenantId, id);
      throw new ConflictError('illegal_transition', `cannot heartbeat a run that is ${current.status}`, { status: current.status });
    },

    /**
     * start | complete | fail | cancel. The run row is locked, the move checked against
     * TRANSITIONS (409 with the current status), and the activity appended in the same
     * transaction. Repeating the end request that ended the run answers the run unchanged.
     */
    async transition(auth: AuthContext, id: string, action: Exclude<RunAction, 'heartbeat'>, body: EndBody & StartBody): Promise<RunRow> {
      const now = new Date();
      const startAt = action === 'start' ? clientTime('started_at', body.started_at, now) : null;
      const result = await db.transaction(async (tx) => {
        const run = await repo.lockRun(tx, auth.tenantId, id);
        if (!run) throw new NotFoundError('run', id);
        const rule = TRANSITIONS[action];
        if (run.status === rule.to && (action === 'start' || run.end_request_hash === hashOf({ action, body }))) {
          return { run, activity: null };
        }
        if (!(rule.from as readonly RunStatus[]).includes(run.status)) {
          throw new ConflictError('illegal_transition', `cannot ${action} a run that is ${run.status}`, { status: run.status, action });
        }
        const patch: repo.RunPatch = action === 'start'
          ? { status: 'running', state: 'LIVE', started_at: startAt ?? now }
          : await endPatch(tx, auth.tenantId, run, action, body, now);
        const updated = await repo.updateRun(tx, auth.tenantId, id, patch, now);
        const at = action === 'start' ? updated.started_at! : updated.completed_at!;
        return { run: updated, activity: await recordTransition(tx, auth.tenantId, updated, at) };
      });
      if (result.activity) publish(auth.tenantId, result.run, result.activity);
      return result.run;
    },

    async list(auth: AuthContext, query: ListRunsQuery) {
      if (query.started_after && query.started_before && query.started_after >= query.started_before) {
        throw new ValidationError('started_before', 'must be after started_after');
      }
      let after: { createdAt: Date; id: string } | null = null;
      if (query.cursor) {
        const [createdAt, runId] = decodeCursor(query.cursor, ['date', 'string']);
        after = { createdAt: createdAt as Date, id: runId as string };
      }
      const rows = await repo.listRuns(db, auth.tenantId, query, after);
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        runs: page,
        next_cursor: rows.length > query.limit && last ? encodeCursor([last.created_at.toISOString(), last.id]) : null,
      };
    },

    recent: (auth: AuthContext, userId: string | undefined, limit: number) =>
      repo.recentRuns(db, auth.tenantId, userId ?? auth.userId, limit),

    async appendSteps(auth: AuthContext, runId: string, steps: StepInput[]) {
      const now = new Date();
      steps.forEach((step, i) => clientTime(`steps[${i}].started_at`, step.started_at, now));
      const result = await db.transaction(async (tx) => {
        const run = await repo.lockRun(tx, auth.tenantId, runId);
        if (!run) throw new NotFoundError('run', runId);
        const stored = await repo.insertSteps(tx, auth.tenantId, runId, run.trace_id, steps);
        const updated = stored.length > 0 ? await repo.updateRun(tx, auth.tenantId, runId, {}, now) : run;
        return { stored, run: updated };
      });
      if (result.stored.length > 0) {
        const stored = new Set(result.stored);
        bus.publish([{ tenantId: auth.tenantId, type: 'step_added', seq: 0, data: { run_id: runId, steps: steps.filter((s) => stored.has(s.step_index)) } }]);
      }
      return { run_id: runId, inserted: result.stored.length, duplicates: steps.length - result.stored.length };
    },

    async listSteps(auth: AuthContext, runId: string, afterIndex: number, limit: number) {
      await requireRun(db, auth.tenantId, runId);
      const steps = await repo.listSteps(db, auth.tenantId, runId, afterIndex, limit);
      return { steps, next_after_index: steps.length === limit ? steps[steps.length - 1]!.step_index : null };
    },
  };
}

export type RunsService = ReturnType<typeof createRunsService>;

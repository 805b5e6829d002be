import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../../db/database.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { clientTime } from '../../lib/time.ts';
import type { EventBus, LiveEvent } from '../../realtime/event-bus.ts';
import { appendActivities } from '../activities/activities.repository.ts';
import type { ActivityRow } from '../activities/activities.types.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import type { PricingService } from '../pricing/pricing.service.ts';
import { refreshWorkUnitStats } from '../registry/registry.repository.ts';
import { deriveFinishedRuns } from '../signals/derive.repository.ts';
import * as repo from './runs.repository.ts';
import type { CreateRunBody, ListRunsQuery, StepInput } from './runs.schemas.ts';
import { planTransition, transitionActivity, transitionTime, type TransitionAction, type TransitionBody } from './transitions.ts';
import { stateOf, type RunRow } from './runs.types.ts';

export interface RunsServiceDeps {
  db: Database;
  pricing: PricingService;
  bus: EventBus;
}

/** The row as the API shows it: internal bookkeeping columns removed. */
export function toRunDto(row: RunRow) {
  const { tenant_id: _t, end_request_hash: _h, reported_step_count: _c, ...dto } = row;
  return dto;
}

/** A create request as the row to insert: defaults, the caller as user, client time checked. */
export function toNewRun(auth: AuthContext, body: CreateRunBody, now: Date, startedAtField = 'started_at') {
  const status = body.status ?? 'pending';
  const startedAt = clientTime(startedAtField, body.started_at, now);
  if (startedAt && status !== 'running') {
    throw new ValidationError(startedAtField, 'is only accepted with status "running" (a pending run has not started)');
  }
  return {
    ...body,
    id: body.id ?? randomUUID(),
    user_id: body.user_id ?? auth.userId,
    project_id: body.project_id ?? auth.projectId,
    is_synthetic: body.is_synthetic ?? false,
    status,
    state: stateOf(status),
    started_at: status === 'running' ? startedAt ?? now : null,
  };
}

/** The live event of a run's new state; `seq` is its transition activity's (0 without one). */
export function runUpdated(tenantId: string, run: RunRow, seq: number): LiveEvent {
  return { tenantId, type: 'run_updated', seq, data: toRunDto(run) };
}

export function createRunsService({ db, pricing, bus }: RunsServiceDeps) {
  /**
   * Keeps the run's work unit figures (latest_run_*, total_runs) in step, then writes the
   * run's activity last in the transaction (the seq lock is held until commit).
   */
  async function recordTransition(tx: Queryable, tenantId: string, run: RunRow, at: Date): Promise<ActivityRow> {
    await refreshWorkUnitStats(tx, tenantId, [run.work_unit_id]);
    const [activity] = await appendActivities(tx, tenantId, [transitionActivity(run, at)]);
    return activity!;
  }

  function publish(tenantId: string, run: RunRow, activity: ActivityRow | null) {
    const events = [runUpdated(tenantId, run, activity?.seq ?? 0)];
    if (activity) events.push({ tenantId, type: 'activity_created', seq: activity.seq, data: activity });
    bus.publish(events);
  }

  async function requireRun(db: Queryable, tenantId: string, id: string): Promise<RunRow> {
    const run = await repo.getRun(db, tenantId, id);
    if (!run) throw new NotFoundError('run', id);
    return run;
  }

  return {
    /**
     * Idempotent on a client `id` or `external_id`: an existing run is returned unchanged.
     * `inTx` runs in the creating transaction, only when the run is new (e.g. to enqueue its job).
     */
    async create(
      auth: AuthContext, body: CreateRunBody, inTx?: (tx: Queryable, run: RunRow) => Promise<unknown>,
    ): Promise<{ run: RunRow; created: boolean }> {
      const row = toNewRun(auth, body, new Date());
      const result = await db.transaction(async (tx) => {
        const [inserted] = await repo.insertRuns(tx, auth.tenantId, [row]);
        if (!inserted) return { run: await repo.findRunByIdOrExternal(tx, auth.tenantId, body.id ?? null, body.external_id ?? null), activity: null };
        await inTx?.(tx, inserted);
        return { run: inserted, activity: await recordTransition(tx, auth.tenantId, inserted, transitionTime(inserted)) };
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
    async transition(auth: AuthContext, id: string, action: TransitionAction, body: TransitionBody): Promise<RunRow> {
      const now = new Date();
      const result = await db.transaction(async (tx) => {
        const run = await repo.lockRun(tx, auth.tenantId, id);
        if (!run) throw new NotFoundError('run', id);
        const patch = await planTransition(pricing, tx, run, action, body, now);
        if (!patch) return { run, activity: null };
        let updated = await repo.updateRun(tx, auth.tenantId, id, patch, now);
        if (updated.state === 'COMPLETED') updated = (await deriveFinishedRuns(tx, auth.tenantId, [id]))[0] ?? updated;
        return { run: updated, activity: await recordTransition(tx, auth.tenantId, updated, transitionTime(updated)) };
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
      const stored = await db.transaction(async (tx) => {
        const run = await repo.lockRun(tx, auth.tenantId, runId);
        if (!run) throw new NotFoundError('run', runId);
        const rows = steps.map((s) => ({ ...s, run_id: runId, trace_id: run.trace_id }));
        const inserted = new Set((await repo.insertSteps(tx, auth.tenantId, rows)).map((s) => s.step_index));
        if (inserted.size > 0) await repo.updateRun(tx, auth.tenantId, runId, {}, now);
        // Steps that arrive after the end change the evidence the run's signals rest on.
        if (inserted.size > 0 && run.state === 'COMPLETED') await deriveFinishedRuns(tx, auth.tenantId, [runId]);
        return rows.filter((row) => inserted.has(row.step_index));
      });
      if (stored.length > 0) bus.publish([{ tenantId: auth.tenantId, type: 'step_added', seq: 0, data: { run_id: runId, steps: stored } }]);
      return { run_id: runId, inserted: stored.length, duplicates: steps.length - stored.length };
    },

    async listSteps(auth: AuthContext, runId: string, afterIndex: number, limit: number) {
      await requireRun(db, auth.tenantId, runId);
      const steps = await repo.listSteps(db, auth.tenantId, runId, afterIndex, limit);
      return { steps, next_after_index: steps.length === limit ? steps[steps.length - 1]!.step_index : null };
    },
  };
}

export type RunsService = ReturnType<typeof createRunsService>;

import type { Database, Queryable } from '../../db/database.ts';
import { AppError, NotFoundError } from '../../errors.ts';
import { describeValidation } from '../../http/error-handler.ts';
import { buildValidator } from '../../http/validation.ts';
import { hashOf } from '../../lib/stable-json.ts';
import { clientTime } from '../../lib/time.ts';
import type { EventBus, LiveEvent } from '../../realtime/event-bus.ts';
import { toNewActivity, type ActivitiesService } from '../../domain/activities/activities.service.ts';
import type { ActivityRow, NewActivity } from '../../domain/activities/activities.types.ts';
import type { AuthContext } from '../../domain/auth/auth.types.ts';
import type { PricingService } from '../../domain/pricing/pricing.service.ts';
import { refreshWorkUnitStats } from '../../domain/registry/registry.repository.ts';
import { insertRuns, insertSteps } from '../../domain/runs/runs.repository.ts';
import { deriveFinishedRuns } from '../../domain/signals/derive.repository.ts';
import { runUpdated, toNewRun } from '../../domain/runs/runs.service.ts';
import type { CreateRunBody, StepInput } from '../../domain/runs/runs.schemas.ts';
import type { RunRow } from '../../domain/runs/runs.types.ts';
import { planTransition, transitionActivity, transitionTime, type TransitionAction } from '../../domain/runs/transitions.ts';
import * as repo from './batch.repository.ts';
import { BatchItem, ITEM_BODIES, type ItemResult, type ItemType } from './batch.schemas.ts';

export interface BatchServiceDeps {
  db: Database;
  pricing: PricingService;
  activities: ActivitiesService;
  bus: EventBus;
}

interface Item {
  index: number;
  type: ItemType;
  id: string;
  body: Record<string, unknown>;
}

/** Per-batch working state: everything is written set-based at the end of the transaction. */
interface Work {
  auth: AuthContext;
  tx: Queryable;
  now: Date;
  results: ItemResult[];
  runs: Map<string, RunRow>;
  /** Runs this batch created: each is published live even when nothing else changed it. */
  created: Set<string>;
  /** Runs whose row this batch changed after reading it: written back at the end. */
  changed: Set<string>;
  /** Activities to append, with the item that asked for each (null for transition activities). */
  activities: { item: Item | null; activity: NewActivity }[];
  steps: (StepInput & { run_id: string; trace_id: string | null })[];
  stepItems: Map<string, Item[]>;
  /** `run_id:step_index` of the steps stored by this batch (not the resent ones). */
  storedSteps: Set<string>;
}

const compile = buildValidator();
const validateEnvelope = compile({ schema: BatchItem, httpPart: 'body' } as never) as ((v: unknown) => boolean) & { errors?: unknown[] };
const validators = Object.fromEntries(
  Object.entries(ITEM_BODIES).map(([type, schema]) => [type, compile({ schema, httpPart: 'body' } as never)]),
) as Record<ItemType, ((v: unknown) => boolean) & { errors?: unknown[] }>;

const TRANSITION_ITEMS: Partial<Record<ItemType, TransitionAction>> = {
  'run.start': 'start', 'run.complete': 'complete', 'run.fail': 'fail', 'run.cancel': 'cancel',
};

function failure(index: number, id: string | undefined, err: unknown): ItemResult {
  if (err instanceof AppError) return { index, status: err.statusCode, id, error: err.code, message: err.message };
  throw err;
}

/** Checks an item's envelope and body; returns the item, or its 400 result. */
function parse(raw: unknown, index: number): Item | ItemResult {
  if (!validateEnvelope(raw)) return { index, status: 400, ...describeValidation(validateEnvelope.errors!, `items[${index}]`) };
  const item = raw as BatchItem;
  const body = item.body ?? {};
  const validate = validators[item.type];
  if (!validate(body)) return { index, status: 400, id: item.id, ...describeValidation(validate.errors!, `items[${index}].body`) };
  if (item.type === 'run.create' && body.id !== undefined && body.id !== item.id) {
    return { index, status: 400, id: item.id, error: 'validation_error', message: `items[${index}].body.id must equal items[${index}].id` };
  }
  return { index, type: item.type, id: item.id, body };
}

export function createBatchService({ db, pricing, activities, bus }: BatchServiceDeps) {
  /** run.create items: one insert; an existing id answers 200 like the REST route. */
  async function createRuns(w: Work, items: Item[]) {
    const valid: Item[] = [];
    const rows = [];
    for (const item of items) {
      try {
        rows.push(toNewRun(w.auth, { ...(item.body as CreateRunBody), id: item.id }, w.now, `items[${item.index}].body.started_at`));
        valid.push(item);
      } catch (err) {
        w.results[item.index] = failure(item.index, item.id, err);
      }
    }
    const inserted = new Map((await insertRuns(w.tx, w.auth.tenantId, rows)).map((r) => [r.id, r]));
    for (const item of valid) {
      const run = inserted.get(item.id);
      inserted.delete(item.id); // a second create of the same id in one batch is a repeat
      w.results[item.index] = { index: item.index, status: run ? 201 : 200, id: item.id };
      if (!run) continue;
      w.created.add(run.id);
      w.activities.push({ item: null, activity: transitionActivity(run, transitionTime(run)) });
    }
  }

  /** Transitions in item order against the locked runs, exactly as the REST routes decide them. */
  async function transition(w: Work, item: Item) {
    const run = w.runs.get(item.id);
    if (!run) throw new NotFoundError('run', item.id);
    if (item.type === 'run.heartbeat') {
      if (run.state !== 'LIVE') throw new AppError(409, 'illegal_transition', `cannot heartbeat a run that is ${run.status}`, { status: run.status });
      w.runs.set(run.id, { ...run, last_seen_at: w.now });
      w.changed.add(run.id);
      return;
    }
    const patch = await planTransition(pricing, w.tx, run, TRANSITION_ITEMS[item.type]!, item.body, w.now);
    if (!patch) return;
    const next = { ...run, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)), last_seen_at: w.now } as RunRow;
    w.runs.set(run.id, next);
    w.changed.add(run.id);
    w.activities.push({ item: null, activity: transitionActivity(next, transitionTime(next)) });
  }

  function collectSteps(w: Work, item: Item) {
    const run = w.runs.get(item.id);
    if (!run) throw new NotFoundError('run', item.id);
    const steps = item.body.steps as StepInput[];
    steps.forEach((s, i) => clientTime(`items[${item.index}].body.steps[${i}].started_at`, s.started_at, w.now));
    for (const step of steps) w.steps.push({ ...step, run_id: run.id, trace_id: run.trace_id });
    w.stepItems.set(run.id, [...(w.stepItems.get(run.id) ?? []), item]);
  }

  async function apply(w: Work, items: Item[]): Promise<ActivityRow[]> {
    await createRuns(w, items.filter((i) => i.type === 'run.create'));
    const runIds = [...new Set(items.filter((i) => i.type !== 'activity.create').map((i) => i.id))];
    for (const run of await repo.lockRuns(w.tx, w.auth.tenantId, runIds)) w.runs.set(run.id, run);

    for (const item of items) {
      if (item.type === 'run.create') continue;
      try {
        if (item.type === 'steps.append') collectSteps(w, item);
        else if (item.type === 'activity.create') {
          w.activities.push({ item, activity: toNewActivity(w.auth, { ...item.body, id: item.id } as never, `items[${item.index}].body.occurred_at`) });
        } else await transition(w, item);
        w.results[item.index] = { index: item.index, status: 200, id: item.id };
      } catch (err) {
        w.results[item.index] = failure(item.index, item.id, err);
      }
    }
    const stored = await insertSteps(w.tx, w.auth.tenantId, w.steps);
    for (const { run_id, step_index } of stored) {
      w.storedSteps.add(`${run_id}:${step_index}`);
      w.runs.set(run_id, { ...w.runs.get(run_id)!, last_seen_at: w.now });
      w.changed.add(run_id);
    }
    await repo.writeRuns(w.tx, w.auth.tenantId, [...w.changed].map((id) => w.runs.get(id)!));
    const finished = [...w.changed].filter((id) => w.runs.get(id)!.state === 'COMPLETED');
    for (const run of await deriveFinishedRuns(w.tx, w.auth.tenantId, finished)) w.runs.set(run.id, run);
    // Units of the runs created or moved here (those with a transition activity) keep their figures in step.
    await refreshWorkUnitStats(w.tx, w.auth.tenantId, w.activities.filter((a) => a.item === null).map((a) => a.activity.work_unit_id));
    // Last in the transaction: the activity seq lock is held only until commit.
    const rows = await activities.append(w.tx, w.auth.tenantId, w.activities.map((a) => a.activity));
    const storedIds = new Set(rows.map((r) => r.id));
    for (const { item, activity } of w.activities) {
      if (item) w.results[item.index] = { index: item.index, status: storedIds.has(activity.id) ? 201 : 200, id: item.id };
    }
    return rows;
  }

  function publish(w: Work, rows: ActivityRow[]) {
    const events: LiveEvent[] = [];
    // Each run's final state goes out once, at the seq of its last transition in the batch
    // (activities written by activity.create items may name a run too, but are not its transitions).
    const transitionIds = new Set(w.activities.filter((a) => a.item === null).map((a) => a.activity.id));
    const seqOfRun = new Map(rows.filter((r) => transitionIds.has(r.id)).map((r) => [r.run_id!, r.seq]));
    for (const id of new Set([...w.created, ...w.changed])) {
      events.push(runUpdated(w.auth.tenantId, w.runs.get(id)!, seqOfRun.get(id) ?? 0));
    }
    for (const [runId] of w.stepItems) {
      const steps = w.steps.filter((s) => s.run_id === runId && w.storedSteps.has(`${runId}:${s.step_index}`));
      if (steps.length > 0) events.push({ tenantId: w.auth.tenantId, type: 'step_added', seq: 0, data: { run_id: runId, steps } });
    }
    bus.publish(events);
    activities.publish(w.auth.tenantId, rows);
  }

  return {
    /**
     * POST /ingest: every item gets the answer its REST route would give, in item order, and
     * everything acknowledged is committed in one transaction. Writes are set-based: one
     * statement per kind of row, whatever the batch size. Within a batch, creates apply
     * first, then transitions and steps in item order, then activities.
     */
    async ingest(auth: AuthContext, raw: unknown[]): Promise<ItemResult[]> {
      const hash = hashOf(raw);
      const parsed = raw.map(parse);
      const items = parsed.filter((p): p is Item => 'type' in p);
      const outcome = await db.transaction(async (tx) => {
        const memo = await repo.findBatch(tx, auth.tenantId, hash);
        if (memo) return { replayed: memo } as const;
        const w: Work = {
          auth, tx, now: new Date(), results: parsed.map((p) => ('type' in p ? (undefined as never) : p)),
          runs: new Map(), created: new Set(), changed: new Set(), activities: [], steps: [], stepItems: new Map(), storedSteps: new Set(),
        };
        const rows = await apply(w, items);
        await repo.saveBatch(tx, auth.tenantId, hash, w.results);
        return { w, rows };
      });
      if ('replayed' in outcome) return outcome.replayed!;
      publish(outcome.w, outcome.rows);
      // Memos live a day; pruning now and then keeps the table small without a scheduler.
      if (Math.random() < 0.01) repo.pruneBatches(db).catch(() => {});
      return outcome.w.results;
    },
  };
}

export type BatchService = ReturnType<typeof createBatchService>;

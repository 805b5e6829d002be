import type { Queryable } from '../../db/database.ts';
import { AppError, ConflictError, NotFoundError } from '../../errors.ts';
import { activityCreated, runUpdated, stepsAdded, type LiveEvent } from '../../events/live-events.ts';
import { clientTime } from '../../lib/time.ts';
import { appendActivities, getActivities, pairToolDurations } from '../activities/activities.repository.ts';
import { toNewActivity } from '../activities/new-activity.ts';
import type { ActivityRow, KnownRender, NewActivity } from '../activities/activities.types.ts';
import type { PricingService } from '../pricing/pricing.service.ts';
import { refreshWorkUnitStats } from '../registry/registry.repository.ts';
import { findRunsByIdOrExternal, insertRuns, insertSteps, lockRuns } from '../runs/runs.repository.ts';
import type { CreateRunBody, StepInput } from '../runs/runs.schemas.ts';
import { toNewRun } from '../runs/new-run.ts';
import type { RunRow } from '../runs/runs.types.ts';
import { planTransition, transitionActivity, transitionTime, type TransitionAction, type TransitionBody } from '../runs/transitions.ts';
import { writeRuns } from '../signals/derive.repository.ts';
import type { Intent, IntentResult } from './intents.ts';

/** The cached render each new activity's shape already has (null where none is known), so its INSERT stores it COMPLETED. */
export type RendersAtWrite = (tenantId: string, activities: readonly NewActivity[]) => (KnownRender | null)[];

export interface WriterDeps {
  pricing: PricingService;
  rendersAtWrite?: RendersAtWrite;
}

/** What one transaction's intents wrote: an answer per intent, and the events to publish after commit. */
export interface WriteOutcome {
  results: IntentResult[];
  events: LiveEvent[];
}

/** A transaction's working state: rows are read once, changed in memory, written set-based at the end. */
interface Work {
  tx: Queryable;
  tenantId: string;
  now: Date;
  results: IntentResult[];
  runs: Map<string, RunRow>;
  /** Runs created here (a second create of one in the same transaction is a repeat). */
  created: Set<string>;
  /** Runs changed after reading: written back with one UPDATE. */
  changed: Set<string>;
  /** Runs whose state a client sees change (created, moved, woken from STALLED): published as run_updated. */
  published: Set<string>;
  /** Activities to append, with the intent that asked for each (-1 for transition activities). */
  activities: { index: number; activity: NewActivity }[];
  steps: (StepInput & { run_id: string; trace_id: string | null })[];
  /** Per steps.append intent, the keys `run:index` of its steps. */
  stepKeys: Map<number, string[]>;
  stored: Set<string>;
}

const TRANSITIONS: Partial<Record<Intent['type'], TransitionAction>> = {
  'run.start': 'start', 'run.complete': 'complete', 'run.fail': 'fail', 'run.cancel': 'cancel',
};

function failed(id: string, err: unknown): IntentResult {
  if (!(err instanceof AppError)) throw err; // not the client's fault: the whole transaction fails
  return { status: err.statusCode, id, error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
}

const stepKey = (runId: string, index: number) => `${runId}:${index}`;

/**
 * The one write path for runs, steps and activities (SPEC §3, §5): lock → plan → set-based
 * writes → derivation → work-unit figures → activities (last: the seq lock is held until
 * commit) → events. Each intent gets the answer its REST route gives; a bad intent fails
 * alone. Creates apply first, then transitions and steps in intent order, then activities.
 */
export function createWriter({ pricing, rendersAtWrite }: WriterDeps) {
  async function createRuns(w: Work, intents: readonly Intent[], indexes: number[]) {
    const valid: number[] = [];
    const rows = [];
    for (const i of indexes) {
      const intent = intents[i]!;
      try {
        rows.push(toNewRun(intent.auth, { ...(intent.body as CreateRunBody), id: intent.id }, w.now, `${intent.at}started_at`));
        valid.push(i);
      } catch (err) {
        w.results[i] = failed(intent.id, err);
      }
    }
    const inserted = new Map((await insertRuns(w.tx, w.tenantId, rows)).map((r) => [r.id, r]));
    const missing = valid.filter((i) => !inserted.has(intents[i]!.id));
    const existing = await findRunsByIdOrExternal(w.tx, w.tenantId, missing.map((i) => intents[i]!.id),
      missing.map((i) => (intents[i]!.body as CreateRunBody).external_id ?? null));
    for (const i of valid) {
      const intent = intents[i]!;
      const run = inserted.get(intent.id);
      inserted.delete(intent.id); // a second create of the same id here is a repeat
      if (run) {
        // New in this transaction: no one else can see it, so it needs no lock.
        w.runs.set(run.id, run);
        w.created.add(run.id);
        w.published.add(run.id);
        w.activities.push({ index: -1, activity: transitionActivity(run, transitionTime(run)) });
        w.results[i] = { status: 201, id: intent.id };
        continue;
      }
      const externalId = (intent.body as CreateRunBody).external_id ?? null;
      const match = existing.find((r) => r.id === intent.id || (externalId !== null && r.external_id === externalId));
      const foundId = match?.id ?? (w.created.has(intent.id) ? intent.id : undefined);
      w.results[i] = foundId !== undefined
        ? { status: 200, id: foundId }
        : failed(intent.id, new ConflictError('run_exists', 'a run with this id or external_id was being created concurrently; retry'));
    }
  }

  async function transition(w: Work, intent: Intent) {
    const run = w.runs.get(intent.id);
    if (!run) throw new NotFoundError('run', intent.id);
    if (intent.type === 'run.heartbeat') {
      if (run.state !== 'LIVE') throw new ConflictError('illegal_transition', `cannot heartbeat a run that is ${run.status}`, { status: run.status });
      w.runs.set(run.id, { ...run, last_seen_at: w.now });
      w.changed.add(run.id);
      return;
    }
    const patch = await planTransition(pricing, w.tx, run, TRANSITIONS[intent.type]!, intent.body as TransitionBody, w.now);
    if (!patch) return;
    const next = { ...run, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)), last_seen_at: w.now } as RunRow;
    w.runs.set(run.id, next);
    w.changed.add(run.id);
    w.published.add(run.id);
    w.activities.push({ index: -1, activity: transitionActivity(next, transitionTime(next)) });
  }

  function collectSteps(w: Work, intent: Intent, index: number) {
    const run = w.runs.get(intent.id);
    if (!run) throw new NotFoundError('run', intent.id);
    const steps = intent.body.steps as StepInput[];
    steps.forEach((s, i) => clientTime(`${intent.at}steps[${i}].started_at`, s.started_at, w.now));
    for (const step of steps) w.steps.push({ ...step, run_id: run.id, trace_id: run.trace_id });
    w.stepKeys.set(index, steps.map((s) => stepKey(run.id, s.step_index)));
  }

  /** Everything but creates, in intent order, against the locked runs. */
  async function plan(w: Work, intents: readonly Intent[]) {
    for (const [i, intent] of intents.entries()) {
      if (intent.type === 'run.create') continue;
      try {
        if (intent.type === 'steps.append') collectSteps(w, intent, i);
        else if (intent.type === 'activity.create') {
          w.activities.push({ index: i, activity: toNewActivity(intent.auth, { ...intent.body, id: intent.id } as never, `${intent.at}occurred_at`) });
        } else await transition(w, intent);
        w.results[i] = { status: 200, id: intent.id };
      } catch (err) {
        w.results[i] = failed(intent.id, err);
      }
    }
  }

  async function storeSteps(w: Work) {
    for (const { run_id, step_index } of await insertSteps(w.tx, w.tenantId, w.steps)) {
      w.stored.add(stepKey(run_id, step_index));
      w.runs.set(run_id, { ...w.runs.get(run_id)!, last_seen_at: w.now });
      w.changed.add(run_id);
    }
  }

  /** Appends every activity in one statement, completes tool-call pairs, answers activity intents. */
  async function storeActivities(w: Work, intents: readonly Intent[]): Promise<ActivityRow[]> {
    const activities = w.activities.map((a) => a.activity);
    let rows = await appendActivities(w.tx, w.tenantId, activities, rendersAtWrite?.(w.tenantId, activities));
    const pairs = w.activities.filter((a) => a.index >= 0 && intents[a.index]!.pair).map((a) => intents[a.index]!.pair!);
    const durations = await pairToolDurations(w.tx, w.tenantId, pairs);
    if (durations.size > 0) rows = rows.map((r) => (durations.has(r.id) ? { ...r, duration_ms: durations.get(r.id)! } : r));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const resent = w.activities.filter((a) => a.index >= 0 && !byId.has(a.activity.id)).map((a) => a.activity.id);
    const before = new Map((await getActivities(w.tx, w.tenantId, resent)).map((r) => [r.id, r]));
    for (const { index, activity } of w.activities) {
      if (index < 0) continue;
      const row = byId.get(activity.id);
      w.results[index] = { status: row ? 201 : 200, id: activity.id, activity: row ?? before.get(activity.id) };
    }
    return rows;
  }

  /** Run, step and activity events; each run goes out once, at the seq of its last transition here. */
  function events(w: Work, rows: readonly ActivityRow[]): LiveEvent[] {
    const transitions = new Set(w.activities.filter((a) => a.index < 0).map((a) => a.activity.id));
    const seqOfRun = new Map(rows.filter((r) => transitions.has(r.id)).map((r) => [r.run_id!, r.seq]));
    const out: LiveEvent[] = [];
    for (const id of w.published) out.push(runUpdated(w.tenantId, w.runs.get(id)!, seqOfRun.get(id) ?? 0));
    const byRun = new Map<string, typeof w.steps>();
    const published = new Set<string>();
    for (const step of w.steps) {
      const key = stepKey(step.run_id, step.step_index);
      if (!w.stored.has(key) || published.has(key)) continue; // resent, or repeated here
      published.add(key);
      byRun.set(step.run_id, [...(byRun.get(step.run_id) ?? []), step]);
    }
    for (const [runId, steps] of byRun) out.push(stepsAdded(w.tenantId, runId, steps));
    for (const row of rows) out.push(activityCreated(w.tenantId, row));
    return out;
  }

  /** Fills each run intent's answer with the run as the transaction left it, and each steps intent's counts. */
  function answer(w: Work, intents: readonly Intent[]) {
    const claimed = new Set<string>(); // a step sent twice here counts as stored for the first intent
    for (const [i, intent] of intents.entries()) {
      const result = w.results[i]!;
      if (result.status >= 400 || intent.type === 'activity.create') continue;
      result.run = w.runs.get(result.id);
      const keys = w.stepKeys.get(i);
      if (keys) {
        const inserted = keys.filter((k) => w.stored.has(k) && !claimed.has(k) && claimed.add(k)).length;
        result.steps = { inserted, duplicates: keys.length - inserted };
      }
    }
  }

  return {
    /**
     * True when `apply` writes these intents with one statement (activities without a tool-call
     * pair: one INSERT), which is atomic by itself; anything else needs a transaction.
     */
    oneStatement: (intents: readonly Intent[]) => intents.every((i) => i.type === 'activity.create' && !i.pair),

    /** Applies one tenant's intents inside `tx`; publish `events` only after the transaction commits. */
    async apply(tx: Queryable, tenantId: string, intents: readonly Intent[]): Promise<WriteOutcome> {
      const w: Work = {
        tx, tenantId, now: new Date(), results: new Array(intents.length), runs: new Map(), created: new Set(),
        changed: new Set(), published: new Set(), activities: [], steps: [], stepKeys: new Map(), stored: new Set(),
      };
      const creates = [...intents.keys()].filter((i) => intents[i]!.type === 'run.create');
      await createRuns(w, intents, creates);
      // Runs this transaction did not create: locked in id order before anything is planned.
      const toLock = new Set<string>();
      intents.forEach((intent, i) => {
        if (intent.type === 'activity.create') return;
        // A create answers with the run's id (a repeat may have matched it by external_id).
        const id = intent.type === 'run.create' ? w.results[i]!.status < 400 ? w.results[i]!.id : null : intent.id;
        if (id !== null && !w.created.has(id)) toLock.add(id);
      });
      for (const run of await lockRuns(tx, tenantId, [...toLock])) w.runs.set(run.id, run);
      await plan(w, intents);
      await storeSteps(w);
      for (const run of await writeRuns(tx, tenantId, [...w.changed].map((id) => w.runs.get(id)!))) {
        if (w.runs.get(run.id)!.latency_bucket === 'STALLED' && run.latency_bucket === null) w.published.add(run.id);
        w.runs.set(run.id, run);
      }
      // Units of the runs created or moved here keep their figures in step.
      await refreshWorkUnitStats(tx, tenantId, w.activities.filter((a) => a.index < 0).map((a) => a.activity.work_unit_id));
      // Last in the transaction: the activity seq lock is held only until commit.
      const rows = await storeActivities(w, intents);
      const out = events(w, rows);
      answer(w, intents);
      return { results: w.results, events: out };
    },
  };
}

export type Writer = ReturnType<typeof createWriter>;

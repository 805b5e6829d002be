import { performance } from 'node:perf_hooks';
import type { Database } from '../packages/server/src/db/database.ts';
import { insertRunsDirect, insertStepsDirect, type CompletedRunValues, type DirectResult } from './ingest-direct.ts';
import { COMPLETE_BODY, createRunBody, step } from './lib/fixtures.ts';
import type { LoadResult, LoadTarget } from './lib/load.ts';

/**
 * The batch route: POST /ingest with 1,000 items a call, from a few concurrent clients. One
 * transaction and one statement per kind of row per batch, so the per-write costs that bound
 * the REST routes (a transaction, the tenant's seq lock, a commit) are paid once per batch.
 */
export const BATCH_ITEMS = 1000;
const STEPS_PER_ITEM = 500;
const BATCH_CLIENTS = 4;

type Item = { type: string; id: string; body?: unknown };

async function post(target: LoadTarget, items: Item[]): Promise<void> {
  const res = await fetch(`${target.baseUrl}/api/v1/ingest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ items }),
  });
  const body = (await res.json()) as { results?: { status: number; message?: string }[] };
  const bad = body.results?.find((r) => r.status >= 300);
  if (res.status !== 200 || bad) throw new Error(`/ingest answered ${res.status}: ${bad?.message ?? JSON.stringify(body).slice(0, 200)}`);
}

/** Sends the batches from BATCH_CLIENTS clients; returns the wall time and per-call latencies. */
async function send(target: LoadTarget, batches: Item[][]): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: BATCH_CLIENTS }, async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const t0 = performance.now();
      await post(target, batch);
      latencies.push(performance.now() - t0);
    }
  }));
  return { elapsedMs: performance.now() - started, latencies: Float64Array.from(latencies), errors: 0, firstError: null, runIds: [] };
}

function chunk<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** Runs created running and completed in the same batch: 500 runs (1,000 items) a call. */
export function runItems(prefix: string, runs: number): Item[][] {
  const items = Array.from({ length: runs }, (_, i) => {
    const id = `${prefix}-${i}`;
    return [{ type: 'run.create', id, body: { ...createRunBody(id), id: undefined } }, { type: 'run.complete', id, body: COMPLETE_BODY }];
  }).flat();
  return chunk(items, BATCH_ITEMS);
}

export function activityItems(prefix: string, count: number): Item[][] {
  const items = Array.from({ length: count }, (_, i) => ({
    type: 'activity.create', id: `${prefix}-${i}`,
    body: { type: 'tool', action_name: i % 2 ? 'Read' : 'Bash', target_name: `src/file-${i % 97}.ts`, status: 'success', duration_ms: 10 + (i % 400), source: 'bench' },
  }));
  return chunk(items, BATCH_ITEMS);
}

/** Steps in items of 500 on pre-created runs, 10 items (5,000 steps) a call to stay under the body limit. */
export function stepItems(runIds: string[], stepsPerRun: number): Item[][] {
  const items = runIds.flatMap((id) =>
    Array.from({ length: stepsPerRun / STEPS_PER_ITEM }, (_, b) => ({
      type: 'steps.append', id, body: { steps: Array.from({ length: STEPS_PER_ITEM }, (_, i) => step(b * STEPS_PER_ITEM + i)) },
    })));
  return chunk(items, 10);
}

/** The same activities in one INSERT … SELECT FROM unnest statement (seqs given directly). */
async function insertActivitiesDirect(db: Database, tenantId: string, prefix: string, count: number): Promise<DirectResult> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const t0 = performance.now();
  const { rowCount } = await db.query(
    `INSERT INTO activities (tenant_id, id, seq, type, action_name, target_name, status, duration_ms, source)
     SELECT $1, r.id, 1000000000 + r.n, 'tool', CASE WHEN r.n % 2 = 1 THEN 'Read' ELSE 'Bash' END,
            'src/file-' || (r.n % 97) || '.ts', 'success', 10 + r.n % 400, 'bench'
     FROM unnest($2::text[]) WITH ORDINALITY AS r(id, n)`,
    [tenantId, ids],
  );
  return { rows: rowCount, elapsedMs: performance.now() - t0 };
}

export interface BatchFigures {
  what: string;
  rows: number;
  load: LoadResult;
  direct: DirectResult;
}

/** Runs, activities and steps through /ingest, each beside its direct insert. */
export async function benchBatches(db: Database, target: LoadTarget, tenantId: string, sizes: { runs: number; activities: number; stepRuns: number; stepsPerRun: number }, done: CompletedRunValues): Promise<BatchFigures[]> {
  const runs = await send(target, runItems('batch-run', sizes.runs));
  const runsDirect = await insertRunsDirect(db, tenantId, 'batch-direct-run', sizes.runs, done);
  const activities = await send(target, activityItems('batch-act', sizes.activities));
  const activitiesDirect = await insertActivitiesDirect(db, tenantId, 'batch-direct-act', sizes.activities);
  const stepRunIds = Array.from({ length: sizes.stepRuns }, (_, i) => `batch-steps-${i}`);
  await send(target, chunk(stepRunIds.map((id) => ({ type: 'run.create', id, body: { status: 'running' } })), BATCH_ITEMS));
  const steps = await send(target, stepItems(stepRunIds, sizes.stepsPerRun));
  const stepsDirect = await insertStepsDirect(db, tenantId, 'batch-direct-steps', sizes.stepRuns, sizes.stepsPerRun);
  return [
    { what: 'runs', rows: sizes.runs, load: runs, direct: runsDirect },
    { what: 'activities', rows: sizes.activities, load: activities, direct: activitiesDirect },
    { what: 'steps', rows: sizes.stepRuns * sizes.stepsPerRun, load: steps, direct: stepsDirect },
  ];
}

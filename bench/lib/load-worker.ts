import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { COMPLETE_BODY, createRunBody, stepBatch } from './fixtures.ts';
import type { LoadPlan, LoadResult, LoadTarget } from './load.ts';

/**
 * Worker side of runLoad: plays one plan against the server with Node's global fetch
 * (undici, keep-alive by default; one connection per concurrent client) and posts back
 * the elapsed time and the latency of every measured request.
 */

class Recorder {
  latencies: number[] = [];
  errors = 0;
  firstError: string | null = null;

  constructor(readonly measuring: boolean) {}

  fail(message: string) {
    this.errors++;
    this.firstError ??= message;
  }
}

/** One POST; the body is always read so the connection goes back to the pool. Null on failure. */
async function post(target: LoadTarget, path: string, body: unknown, want: number[], rec: Recorder): Promise<any> {
  const started = performance.now();
  try {
    const res = await fetch(`${target.baseUrl}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (rec.measuring) rec.latencies.push(performance.now() - started);
    if (!want.includes(res.status)) {
      rec.fail(`POST ${path} → ${res.status} ${text.slice(0, 300)}`);
      return null;
    }
    return JSON.parse(text);
  } catch (err) {
    rec.fail(`POST ${path} → ${(err as Error).message}`);
    return null;
  }
}

/** `total` jobs over `clients` concurrent loops, each taking the next job when it is free. */
async function pool(total: number, clients: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < total) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(clients, total) }, loop));
}

/** A run's whole life as an agent reports it: created running, then completed with usage. */
async function oneRun(target: LoadTarget, id: string, rec: Recorder): Promise<void> {
  const created = await post(target, '/runs', createRunBody(id), [201], rec);
  if (created) await post(target, `/runs/${encodeURIComponent(id)}/complete`, COMPLETE_BODY, [200], rec);
}

async function runsPlan(plan: Extract<LoadPlan, { kind: 'runs' }>): Promise<LoadResult> {
  const warm = new Recorder(false);
  await pool(plan.warmup, plan.clients, (i) => oneRun(plan.target, `${plan.idPrefix}-warm-${i}`, warm));
  const rec = new Recorder(true);
  const started = performance.now();
  await pool(plan.count, plan.clients, (i) => oneRun(plan.target, `${plan.idPrefix}-${i}`, rec));
  const elapsedMs = performance.now() - started;
  const runIds = Array.from({ length: plan.count }, (_, i) => `${plan.idPrefix}-${i}`);
  return finish(elapsedMs, rec, warm, runIds);
}

/** Sends `batches` batches to one run in step_index order, as one client appending a trace does. */
async function appendAll(plan: Extract<LoadPlan, { kind: 'steps' }>, runId: string, batches: number, rec: Recorder) {
  for (let b = 0; b < batches; b++) {
    const res = await post(plan.target, `/runs/${encodeURIComponent(runId)}/steps`, stepBatch(b * plan.batchSize, plan.batchSize), [200], rec);
    if (res && res.inserted !== plan.batchSize) rec.fail(`run ${runId} batch ${b}: inserted ${res.inserted} of ${plan.batchSize}`);
  }
}

async function stepsPlan(plan: Extract<LoadPlan, { kind: 'steps' }>): Promise<LoadResult> {
  const setup = new Recorder(false);
  const runIds = Array.from({ length: plan.clients }, (_, c) => `${plan.idPrefix}-${c}`);
  const warmId = `${plan.idPrefix}-warm`;
  for (const id of [warmId, ...runIds]) await post(plan.target, '/runs', createRunBody(id), [201], setup);
  await appendAll(plan, warmId, plan.warmupBatches, setup);

  const rec = new Recorder(true);
  const started = performance.now();
  await Promise.all(runIds.map((id) => appendAll(plan, id, plan.batchesPerClient, rec)));
  const elapsedMs = performance.now() - started;
  return finish(elapsedMs, rec, setup, runIds);
}

/** Setup and warm-up failures count too: a benchmark on a broken server means nothing. */
function finish(elapsedMs: number, rec: Recorder, setup: Recorder, runIds: string[]): LoadResult {
  return {
    elapsedMs,
    latencies: Float64Array.from(rec.latencies),
    errors: setup.errors + rec.errors,
    firstError: setup.firstError ?? rec.firstError,
    runIds,
  };
}

const plan = workerData as LoadPlan;
const result = plan.kind === 'runs' ? await runsPlan(plan) : await stepsPlan(plan);
parentPort!.postMessage(result);

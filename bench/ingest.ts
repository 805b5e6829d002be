import { randomBytes } from 'node:crypto';
import { buildApp, type RunlogApp } from '../packages/server/src/app.ts';
import type { Database } from '../packages/server/src/db/database.ts';
import { createLogger } from '../packages/server/src/logger.ts';
import { benchBatches } from './ingest-batch.ts';
import { insertRunsDirect, insertStepsDirect, type CompletedRunValues, type DirectResult } from './ingest-direct.ts';
import { BACKENDS, eachBackend, type Backend } from './lib/backends.ts';
import { BenchUsageError, fmtInt, fmtMs, fmtRate, intEnv, machineLine, percentile, rate, row } from './lib/common.ts';
import { runLoad, type LoadResult, type LoadTarget } from './lib/load.ts';

/**
 * Ingest throughput: runs (create running + complete) and trace steps (batches) per second
 * through the real HTTP API on a real port, beside the same rows written with one
 * multi-row statement on the same database. The ratio says how much of the database's raw
 * insert speed survives validation, auth, transactions, activities and HTTP.
 */

const STEP_BATCH = 500;
const WARMUP_RUNS = 200;
const WARMUP_BATCHES = 4;

interface Settings {
  runs: number;
  runClients: number;
  stepClients: number;
  batchesPerClient: number;
  /** Steps actually sent: BENCH_STEPS rounded up to whole batches per client. */
  steps: number;
  backends: string[];
}

function settings(): Settings {
  const stepsWanted = intEnv('BENCH_STEPS', 100_000);
  const stepClients = intEnv('BENCH_STEP_CLIENTS', 8);
  const batchesPerClient = Math.ceil(stepsWanted / (stepClients * STEP_BATCH));
  const backends = (process.env.BENCH_BACKENDS ?? 'pglite,postgres').split(',').map((b) => b.trim()).filter(Boolean);
  const unknown = backends.filter((b) => !BACKENDS.some((o) => o.name === b));
  if (unknown.length > 0) throw new BenchUsageError(`BENCH_BACKENDS: unknown ${unknown.join(', ')} (choose from ${BACKENDS.map((o) => o.name).join(', ')})`);
  return {
    runs: intEnv('BENCH_RUNS', 3_000),
    runClients: intEnv('BENCH_CLIENTS', 50),
    stepClients,
    batchesPerClient,
    steps: stepClients * batchesPerClient * STEP_BATCH,
    backends,
  };
}

const COLUMNS: Array<[string, number]> = [['backend', 9], ['rows', 18], ['api', 12], ['request p50 / p99', 20], ['direct', 14], ['ratio', 6]];

function printHeader(s: Settings): void {
  console.log('Runlog ingest benchmark');
  console.log(machineLine());
  console.log(`runs:  ${fmtInt(s.runs)} runs, each POST /runs (running) + POST /runs/{id}/complete, ${s.runClients} concurrent clients, after ${WARMUP_RUNS} warm-up runs`);
  console.log(`steps: ${fmtInt(s.steps)} steps, POST /runs/{id}/steps in batches of ${STEP_BATCH}, ${s.stepClients} clients with a run each, after ${WARMUP_BATCHES} warm-up batches`);
  console.log('api:   buildApp() as runlog serve builds it, on 127.0.0.1 (silent logger); client = global fetch with keep-alive in a worker thread');
  console.log('ingest: POST /ingest, 1,000 items a call, 4 clients: runs (create + complete items), activities (activity.create), steps (steps.append of 500)');
  console.log('direct: the same rows in one INSERT … SELECT FROM unnest(…) statement; ratio = api / direct');
  console.log('');
  console.log(row(COLUMNS.map(([title, width]) => [title, width])));
}

function ratio(api: number, direct: number): string {
  const r = api / direct;
  return r < 0.1 ? r.toPrecision(2) : r.toFixed(2);
}

function printRow(backend: string, what: string, rows: number, load: LoadResult, direct: DirectResult): void {
  const api = rate(rows, load.elapsedMs);
  const raw = rate(direct.rows, direct.elapsedMs);
  const latency = `${fmtMs(percentile(load.latencies, 50))} / ${fmtMs(percentile(load.latencies, 99))}`;
  const cells = [backend, what, fmtRate(api), latency, fmtRate(raw), ratio(api, raw)];
  console.log(row(cells.map((text, i) => [text, COLUMNS[i]![1]])));
}

/** A load with any failed request measured a broken server, not a fast or slow one. */
function check(what: string, load: LoadResult): void {
  if (load.errors > 0) throw new Error(`${what}: ${load.errors} requests failed; first: ${load.firstError}`);
}

async function countWhere(db: Database, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql, params);
  return rows[0]!.n;
}

/** The figures only count if the rows are really there. */
function expectCount(what: string, found: number, wanted: number): void {
  if (found !== wanted) throw new Error(`${what}: expected ${wanted} rows, found ${found}`);
}

/** The app on a real port, with a tenant and an admin key made through its own services. */
async function startServer({ db, realtime }: Backend): Promise<{ app: RunlogApp['app']; target: LoadTarget; tenantId: string }> {
  const { app, services } = await buildApp({ db, logger: createLogger('silent'), realtime });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const tenant = await services.auth.ensureTenant(`bench-${randomBytes(4).toString('hex')}`);
  const { key } = await services.auth.createKey({ tenantId: tenant.id, name: 'bench', scopes: ['admin'] });
  return { app, target: { baseUrl, key }, tenantId: tenant.id };
}

/** Cost, cost source and end hash exactly as the API stored them for one of its runs. */
async function storedEndValues(db: Database, tenantId: string, runId: string): Promise<CompletedRunValues> {
  const { rows } = await db.query<{ estimated_cost_usd: number | null; cost_source: string; end_request_hash: string }>(
    `SELECT estimated_cost_usd, cost_source, end_request_hash FROM runs WHERE tenant_id = $1 AND id = $2`,
    [tenantId, runId],
  );
  const run = rows[0];
  if (!run) throw new Error(`run ${runId} is missing`);
  return { costUsd: run.estimated_cost_usd, costSource: run.cost_source, endRequestHash: run.end_request_hash };
}

async function benchRuns(backend: Backend, s: Settings, target: LoadTarget, tenantId: string): Promise<CompletedRunValues> {
  const load = await runLoad({ kind: 'runs', target, idPrefix: 'api-run', warmup: WARMUP_RUNS, count: s.runs, clients: s.runClients });
  check('runs', load);
  const completed = await countWhere(backend.db, `SELECT count(*) AS n FROM runs WHERE tenant_id = $1 AND id = ANY($2::text[]) AND status = 'completed'`, [tenantId, load.runIds]);
  expectCount('completed api runs', completed, s.runs);

  const endValues = await storedEndValues(backend.db, tenantId, load.runIds[0]!);
  const direct = await insertRunsDirect(backend.db, tenantId, 'direct-run', s.runs, endValues);
  expectCount('direct runs', direct.rows, s.runs);
  printRow(backend.name, 'runs', s.runs, load, direct);
  return endValues;
}

async function benchSteps(backend: Backend, s: Settings, target: LoadTarget, tenantId: string): Promise<void> {
  const load = await runLoad({
    kind: 'steps', target, idPrefix: 'api-steps', warmupBatches: WARMUP_BATCHES,
    clients: s.stepClients, batchesPerClient: s.batchesPerClient, batchSize: STEP_BATCH,
  });
  check('steps', load);
  const stored = await countWhere(backend.db, `SELECT count(*) AS n FROM trace_steps WHERE tenant_id = $1 AND run_id = ANY($2::text[])`, [tenantId, load.runIds]);
  expectCount('api steps', stored, s.steps);

  const direct = await insertStepsDirect(backend.db, tenantId, 'direct-steps', s.stepClients, s.batchesPerClient * STEP_BATCH);
  expectCount('direct steps', direct.rows, s.steps);
  printRow(backend.name, 'steps', s.steps, load, direct);
}

async function benchBackend(backend: Backend, s: Settings): Promise<void> {
  console.log(`-- ${backend.name}: ${backend.detail}`);
  const { app, target, tenantId } = await startServer(backend);
  try {
    const endValues = await benchRuns(backend, s, target, tenantId);
    await benchSteps(backend, s, target, tenantId);
    const sizes = { runs: s.runs * 2, activities: s.runs * 10, stepRuns: s.stepClients, stepsPerRun: s.batchesPerClient * STEP_BATCH };
    for (const f of await benchBatches(backend.db, target, tenantId, sizes, endValues)) {
      printRow(backend.name, `ingest ${f.what}`, f.rows, f.load, f.direct);
    }
  } finally {
    await app.close();
  }
}

export async function main(): Promise<void> {
  const s = settings();
  printHeader(s);
  await eachBackend(s.backends, (backend) => benchBackend(backend, s));
}

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../packages/server/src/app.ts';
import { createLogger } from '../packages/server/src/logger.ts';
import { Runlog } from '../packages/sdk/src/index.ts';
import { BACKENDS, eachBackend, type Backend } from './lib/backends.ts';
import { BenchUsageError, fmtInt, fmtMs, fmtRate, intEnv, machineLine, rate } from './lib/common.ts';

/**
 * @runlog/sdk end to end: runs with steps recorded as fast as a caller can, delivered through
 * /ingest by the client's own batching, on a real port. Prints records delivered per second
 * (create, steps, complete) and what recording costs the caller per record.
 */

interface Settings {
  runs: number;
  steps: number;
  backends: string[];
}

function settings(): Settings {
  const backends = (process.env.BENCH_BACKENDS ?? 'pglite,postgres').split(',').map((b) => b.trim()).filter(Boolean);
  const unknown = backends.filter((b) => !BACKENDS.some((o) => o.name === b));
  if (unknown.length > 0) throw new BenchUsageError(`BENCH_BACKENDS: unknown ${unknown.join(', ')}`);
  return { runs: intEnv('BENCH_RUNS', 2_000), steps: intEnv('BENCH_STEPS', 20), backends };
}

/** Records `runs` runs of `steps` steps; yields to the event loop every 50 runs so the client can send. */
async function record(rl: Runlog, prefix: string, runs: number, steps: number): Promise<number> {
  let recordingMs = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const run = rl.startRun({ id: `${prefix}-${r}`, workUnitName: 'bench-agent', model: 'claude-sonnet-4-5', providerType: 'anthropic' });
    for (let s = 0; s < steps; s++) run.step({ kind: s % 2 ? 'tool' : 'llm', skillName: `skill-${s % 7}`, inputTokens: 100, outputTokens: 10 });
    run.complete({ ok: true });
    recordingMs += performance.now() - t0;
    if (r % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
  return recordingMs;
}

async function benchOne(backend: Backend, s: Settings): Promise<void> {
  const { app, services } = await buildApp({ db: backend.db, logger: createLogger('silent'), realtime: backend.realtime });
  try {
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const tenant = await services.auth.ensureTenant(`bench-${randomBytes(4).toString('hex')}`);
    const { key } = await services.auth.createKey({ tenantId: tenant.id, name: 'bench', scopes: ['ingest'] });
    const records = s.runs * (s.steps + 2);
    const rl = new Runlog({ url, apiKey: key, maxQueueSize: records + 1_000, flushIntervalMs: 100, flushOnExit: false });
    await record(rl, 'warmup', 100, s.steps);
    await rl.flush(600_000);
    const before = rl.stats();
    const t0 = performance.now();
    const recordingMs = await record(rl, 'run', s.runs, s.steps);
    const delivered = await rl.flush(600_000);
    const elapsedMs = performance.now() - t0;
    const stats = rl.stats();
    await rl.shutdown();
    const count = async (table: string) =>
      (await backend.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenant.id])).rows[0]!.n;
    const [runsStored, stepsStored] = [await count('runs'), await count('trace_steps')];
    const wanted = (s.runs + 100) * s.steps;
    if (!delivered || runsStored !== s.runs + 100 || stepsStored !== wanted) {
      throw new Error(`expected ${s.runs + 100} runs / ${wanted} steps, found ${runsStored} / ${stepsStored} (delivered: ${delivered})`);
    }
    console.log(
      `${backend.name.padEnd(9)} ${fmtInt(records)} records in ${fmtMs(elapsedMs)}: ${fmtRate(rate(records, elapsedMs))} delivered` +
      ` (${fmtRate(rate(s.runs, elapsedMs))} runs); recording ${((recordingMs * 1000) / records).toFixed(2)} µs/record in the caller;` +
      ` sent ${fmtInt(stats.sent - before.sent)}, retries ${stats.retries}, dropped ${stats.dropped}, rejected ${stats.rejected}`,
    );
  } finally {
    await app.close();
  }
}

export async function main(): Promise<void> {
  const s = settings();
  console.log('Runlog SDK benchmark');
  console.log(machineLine());
  console.log(`${fmtInt(s.runs)} runs × (create + ${s.steps} steps + complete) through new Runlog() → POST /ingest (maxBatchSize 500), after 100 warm-up runs`);
  console.log('client and server in one process on 127.0.0.1; rows counted in the database after the flush. Env: BENCH_RUNS, BENCH_STEPS, BENCH_BACKENDS, DATABASE_URL');
  console.log('');
  await eachBackend(s.backends, (backend) => benchOne(backend, s));
}

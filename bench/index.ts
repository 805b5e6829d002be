import { BenchUsageError } from './lib/common.ts';

/**
 * `npm run bench -- <name>`: runs one benchmark; without a name, lists them.
 * Benchmarks print figures and never judge them: speed depends on the machine.
 * Each is imported only when chosen, so listing them loads no database.
 */

interface Benchmark {
  about: string;
  load: () => Promise<{ main: () => Promise<void> }>;
}

const BENCHMARKS: Record<string, Benchmark> = {
  ingest: {
    about: 'runs and steps per second through the HTTP API vs one multi-row INSERT (PGlite, PostgreSQL). Env: BENCH_RUNS, BENCH_STEPS, BENCH_CLIENTS, BENCH_STEP_CLIENTS, BENCH_BACKENDS, DATABASE_URL',
    load: () => import('./ingest.ts'),
  },
  otlp: {
    about: 'spans per second through POST /v1/traces (protobuf, exports of 512 spans) beside /ingest carrying the same runs and steps (PGlite, PostgreSQL). Env: BENCH_OTLP_TRACES, BENCH_OTLP_CLIENTS, BENCH_BACKENDS, DATABASE_URL',
    load: () => import('./otlp.ts'),
  },
  realtime: {
    about: 'WebSocket delivery latency p50/p99/max and events lost: 1,000 clients on "activity" while activities are written at 500/s. Env: BENCH_WS_CLIENTS, BENCH_RATE, BENCH_SECONDS, BENCH_BACKENDS, DATABASE_URL',
    load: () => import('./realtime.ts'),
  },
  signals: { about: 'signal endpoints p50/p95 over HTTP beside seed 001 SQL, 1,000,000 runs / ~10,000,000 steps in PostgreSQL schema bench_signals (kept and reused), or 100,000 runs with --pglite. Flags: --pglite, --reload, --scale N. Env: RUNLOG_BENCH_SCALE, BENCH_SIGNALS_RELOAD, BENCH_SIGNALS_REQUESTS, DATABASE_URL', load: () => import('./signals.ts') },
  startup: {
    about: 'ready time and idle RSS of runlog serve (embedded, beside a bare PGlite script; PostgreSQL) and runlog hook wall time beside node -e 0. Env: BENCH_ROUNDS, BENCH_IDLE_MS, DATABASE_URL',
    load: () => import('./startup.ts'),
  },
  render: {
    about: 'render lag p50/p99 (acknowledged → COMPLETED) at 1,000 activities/s of 50 payload shapes through /ingest, and ingest capacity with rendering off vs on (PGlite, PostgreSQL). Env: BENCH_RATE, BENCH_SECONDS, BENCH_CAPACITY_SECONDS, BENCH_ROUNDS, BENCH_CLIENTS, BENCH_BATCH, BENCH_BACKENDS, DATABASE_URL',
    load: () => import('./render.ts'),
  },
  dashboard: {
    about: 'the live feed in Chromium at 500 activities/s: frame time p50/p95, JS heap start/end, DOM nodes. Flags: --minutes N (default 10), --rate R',
    load: () => import('./dashboard.ts'),
  },
  sdk: {
    about: '@runlog/sdk end to end: records (run create, steps, complete) delivered per second through its batching, and recording cost per record in the caller. Env: BENCH_RUNS, BENCH_STEPS, BENCH_BACKENDS, DATABASE_URL',
    load: () => import('./sdk.ts'),
  },
  write: {
    about: 'single writes under load (group commit): POST /activities with autocannon beside a bare Fastify + pg INSERT route, and REST runs create + start + complete (median of BENCH_ROUNDS rounds). Env: BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ROUNDS, BENCH_BACKENDS, DATABASE_URL',
    load: () => import('./write.ts'),
  },
  'write-statements': {
    about: 'the statements of one group of REST run writes (insert, lock, write started / finished, activities), each timed in a rolled-back transaction: ms per group and per row, and the database time of one run. Env: BENCH_GROUP, BENCH_REPS, BENCH_BACKENDS, DATABASE_URL',
    load: () => import('./write-statements.ts'),
  },
  worker: {
    about: 'main event-loop lateness during a ~1 s query: PGlite in its worker thread vs on the main thread. Env: BENCH_QUERY_MS',
    load: () => import('./worker.ts'),
  },
};

function list(): void {
  console.log('usage: npm run bench -- <name>\n');
  const width = Math.max(...Object.keys(BENCHMARKS).map((name) => name.length));
  for (const [name, { about }] of Object.entries(BENCHMARKS)) console.log(`  ${name.padEnd(width)} ${about}`);
}

async function run(name: string | undefined): Promise<number> {
  if (name === undefined) {
    list();
    return 0;
  }
  const benchmark = Object.hasOwn(BENCHMARKS, name) ? BENCHMARKS[name] : undefined;
  if (!benchmark) {
    console.error(`unknown benchmark "${name}"; choose one of: ${Object.keys(BENCHMARKS).join(', ')}`);
    return 2;
  }
  try {
    await (await benchmark.load()).main();
    return 0;
  } catch (err) {
    if (err instanceof BenchUsageError) {
      console.error(err.message);
      return 2;
    }
    console.error(`benchmark ${name} failed:`, err);
    return 1;
  }
}

process.exitCode = await run(process.argv[2]);

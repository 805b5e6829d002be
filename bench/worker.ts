import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { openPglite } from '../packages/server/src/db/pglite.ts';
import { fmtInt, fmtMs, intEnv, machineLine, maxOf, percentile, row, sleep } from './lib/common.ts';

/**
 * Why PGlite runs in a worker thread: its queries execute synchronously inside WebAssembly,
 * so on the main thread a long query freezes HTTP, WebSocket delivery and timers for its
 * whole length. Here a 5 ms interval timer on the main thread records how late each tick
 * fires while a ~1 s query runs, once with openPglite (the worker the server uses) and once
 * with PGlite imported directly on the main thread.
 */

const TICK_MS = 5;
const CROSS = 100;

/** A pure CPU query whose cost grows linearly with n (n × 100 rows counted). */
const slowQuery = (n: number) => `SELECT count(*) AS n FROM generate_series(1, ${n}) a, generate_series(1, ${CROSS}) b`;

type RunQuery = (sql: string) => Promise<unknown>;

/** n for which slowQuery takes about `targetMs`, scaled from two trial runs (the second one refines). */
async function calibrate(query: RunQuery, targetMs: number): Promise<number> {
  let n = 20_000;
  for (let trial = 0; trial < 2; trial++) {
    const started = performance.now();
    await query(slowQuery(n));
    const took = Math.max(1, performance.now() - started);
    n = Math.max(1_000, Math.round((n * targetMs) / took));
  }
  return n;
}

interface Lateness {
  queryMs: number;
  /** Lateness of every tick due while the query ran, in ms. */
  samples: number[];
}

/**
 * Runs `query` while a main-thread interval records each tick's lateness: how long after
 * its due time (previous tick + TICK_MS) it fired. Only ticks due before the query ended
 * count; a tick held up by a blocking query fires only after it, so the clock keeps running
 * a little after the query to let that tick report.
 */
async function measure(query: () => Promise<unknown>): Promise<Lateness> {
  const ticks: Array<{ due: number; late: number }> = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    ticks.push({ due: last + TICK_MS, late: Math.max(0, now - last - TICK_MS) });
    last = now;
  }, TICK_MS);
  await sleep(50); // let the timer settle
  const started = performance.now();
  await query();
  const ended = performance.now();
  await sleep(TICK_MS * 4);
  clearInterval(timer);
  return { queryMs: ended - started, samples: ticks.filter((t) => t.due >= started && t.due <= ended).map((t) => t.late) };
}

const COLUMNS: Array<[string, number]> = [['where PGlite runs', 34], ['query', 10], ['ticks', 7], ['max late', 10], ['p99 late', 10]];

function printRow(label: string, m: Lateness): void {
  const cells = [label, fmtMs(m.queryMs), String(m.samples.length), fmtMs(maxOf(m.samples)), fmtMs(percentile(m.samples, 99))];
  console.log(row(cells.map((text, i) => [text, COLUMNS[i]![1]])));
}

/** The server's adapter: PGlite in memory in its worker thread. */
async function inWorker(targetMs: number): Promise<{ n: number; result: Lateness }> {
  const db = await openPglite(null);
  try {
    const query: RunQuery = (sql) => db.query(sql);
    const n = await calibrate(query, targetMs);
    return { n, result: await measure(() => query(slowQuery(n))) };
  } finally {
    await db.close();
  }
}

/** For contrast: the same query with PGlite on this thread. */
async function onMainThread(n: number): Promise<Lateness> {
  const db = await PGlite.create();
  try {
    await db.query(slowQuery(1_000)); // first-query costs out of the measurement
    return await measure(() => db.query(slowQuery(n)));
  } finally {
    await db.close();
  }
}

export async function main(): Promise<void> {
  const targetMs = intEnv('BENCH_QUERY_MS', 1_000);
  console.log('Runlog worker benchmark: main event-loop lateness while PGlite runs a long query');
  console.log(machineLine());
  const worker = await inWorker(targetMs);
  console.log(`query: ${slowQuery(worker.n)}  (${fmtInt(worker.n * CROSS)} rows, tuned to ~${fmtInt(targetMs)} ms)`);
  console.log(`timer: setInterval(…, ${TICK_MS}) on the main thread; lateness = fired − (previous tick + ${TICK_MS} ms)`);
  console.log('');
  console.log(row(COLUMNS));
  // The timer's own jitter with nothing running, so the worker row has something to be compared with.
  printRow('no query (idle baseline)', await measure(() => sleep(targetMs)));
  printRow('worker thread (openPglite)', worker.result);
  printRow('main thread (PGlite directly)', await onMainThread(worker.n));
}

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../packages/server/src/app.ts';
import type { Database } from '../packages/server/src/db/database.ts';
import { createLogger } from '../packages/server/src/logger.ts';
import { BACKENDS, eachBackend, type Backend } from './lib/backends.ts';
import { BenchUsageError, fmtInt, fmtMs, intEnv, machineLine, percentile, row } from './lib/common.ts';
import { payload, SHAPES } from './lib/render-payloads.ts';
import type { RenderingSettings } from '../packages/server/src/domain/rendering/rendering.settings.ts';

/**
 * Rendering (SPEC §6, issue 10 item 8), on each database in one run:
 * 1. ingest capacity: POST /ingest as fast as BENCH_CLIENTS clients can, rendering off, then on,
 *    BENCH_ROUNDS times (order swapped each round), each phase on an app of its own after a warm-up (medians);
 * 2. render lag: POST /ingest at BENCH_RATE activities/s for BENCH_SECONDS, rendering on;
 *    lag = the batch acknowledged (client clock) → the activity's processed_at (database
 *    clock; same machine), p50/p99/max, and how many were COMPLETED within 30 s of it.
 * Payloads come in 50 shapes (the built-in analyzer; its cache holds one render per shape).
 */

interface Settings {
  rate: number;
  seconds: number;
  capacitySeconds: number;
  clients: number;
  rounds: number;
  batch: number;
  backends: string[];
}

function settings(): Settings {
  const backends = (process.env.BENCH_BACKENDS ?? 'pglite,postgres').split(',').map((b) => b.trim()).filter(Boolean);
  const unknown = backends.filter((b) => !BACKENDS.some((o) => o.name === b));
  if (unknown.length > 0) throw new BenchUsageError(`BENCH_BACKENDS: unknown ${unknown.join(', ')}`);
  return {
    rate: intEnv('BENCH_RATE', 1_000),
    seconds: intEnv('BENCH_SECONDS', 30),
    capacitySeconds: intEnv('BENCH_CAPACITY_SECONDS', 5),
    clients: intEnv('BENCH_CLIENTS', 4),
    rounds: intEnv('BENCH_ROUNDS', 3),
    batch: intEnv('BENCH_BATCH', 100),
    backends,
  };
}

interface Target {
  baseUrl: string;
  key: string;
}

let counter = 0;

function batchBody(prefix: string, size: number): string {
  const items = Array.from({ length: size }, () => {
    const n = counter++;
    return { type: 'activity.create', id: `${prefix}-${n}`, body: { type: 'tool', action_name: 'Tool', source: 'bench', data: payload(n) } };
  });
  return JSON.stringify({ items });
}

async function post(target: Target, body: string): Promise<void> {
  const res = await fetch(`${target.baseUrl}/api/v1/ingest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' },
    body,
  });
  const text = await res.text();
  if (res.status !== 200 || text.includes('"status":4') || text.includes('"status":5')) throw new Error(`/ingest answered ${res.status}: ${text.slice(0, 200)}`);
}

/** Closed loop: activities per second acknowledged while clients send as fast as they can. */
async function capacity(target: Target, s: Settings, prefix: string): Promise<number> {
  const deadline = performance.now() + s.capacitySeconds * 1_000;
  let done = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: s.clients }, async () => {
    while (performance.now() < deadline) {
      await post(target, batchBody(prefix, s.batch));
      done += s.batch;
    }
  }));
  return done / ((performance.now() - started) / 1_000);
}

/** Open loop at the target rate; returns each batch's first id number, size and ack time (epoch ms). */
async function steady(target: Target, s: Settings, prefix: string) {
  const tickMs = (s.batch / s.rate) * 1_000;
  const ticks = Math.round((s.seconds * 1_000) / tickMs);
  const acks: Array<{ from: number; size: number; ackedAt: number }> = [];
  const inFlight: Promise<void>[] = [];
  const t0 = performance.now();
  for (let k = 0; k < ticks; k++) {
    const wait = t0 + k * tickMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const from = counter;
    const body = batchBody(prefix, s.batch);
    inFlight.push(post(target, body).then(() => void acks.push({ from, size: s.batch, ackedAt: Date.now() })));
  }
  await Promise.all(inFlight);
  return { acks, elapsedS: (performance.now() - t0) / 1_000 };
}

async function untilRendered(db: Database, tenantId: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM activities WHERE tenant_id = $1 AND processing_status IN ('PENDING', 'PROCESSING')`, [tenantId]);
    if (rows[0]!.n === 0 || Date.now() > deadline) return rows[0]!.n;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function lags(db: Database, tenantId: string, prefix: string, acks: Array<{ from: number; size: number; ackedAt: number }>) {
  const { rows } = await db.query<{ id: string; status: string; done_ms: number | null }>(
    `SELECT id, processing_status AS status, (extract(epoch FROM processed_at) * 1000)::float8 AS done_ms
     FROM activities WHERE tenant_id = $1 AND id LIKE $2`, [tenantId, `${prefix}-%`]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const samples: number[] = [];
  let late = 0;
  let missing = 0;
  for (const ack of acks) {
    for (let n = ack.from; n < ack.from + ack.size; n++) {
      const row = byId.get(`${prefix}-${n}`);
      if (!row || row.status !== 'COMPLETED' || row.done_ms === null) {
        missing++;
        continue;
      }
      const lag = Math.max(0, row.done_ms - ack.ackedAt);
      samples.push(lag);
      if (lag > 30_000) late++;
    }
  }
  return { samples: Float64Array.from(samples), late, missing };
}

interface Phase {
  target: Target;
  /** The app's render worker stops (what it claimed goes back to PENDING). */
  close(): Promise<void>;
}

const RENDERING_OFF: Partial<RenderingSettings> = { workers: 0, atWrite: false };
const RENDERING_ON: Partial<RenderingSettings> = {};

/**
 * An app on the bench's database, with rendering as given: off is no worker and no render at
 * write time (every payload stays PENDING); on is the default (a worker, and shapes it has
 * rendered stored COMPLETED by their write). Each phase has an app of its own, so the two
 * never mix; the tenant is the same.
 */
async function openPhase(backend: Backend, tenantName: string, rendering: Partial<RenderingSettings>): Promise<Phase> {
  const { app, services } = await buildApp({ db: backend.db, logger: createLogger('silent'), realtime: backend.realtime, rendering });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const tenant = await services.auth.ensureTenant(tenantName);
  const { key } = await services.auth.createKey({ tenantId: tenant.id, name: 'bench', scopes: ['admin'] });
  return { target: { baseUrl, key }, close: () => app.close() };
}

async function withPhase<T>(backend: Backend, tenantName: string, rendering: Partial<RenderingSettings>, fn: (p: Phase) => Promise<T>): Promise<T> {
  const phase = await openPhase(backend, tenantName, rendering);
  try {
    return await fn(phase);
  } finally {
    await phase.close();
  }
}

async function tenantIdOf(db: Database, name: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM tenants WHERE name = $1`, [name]);
  return rows[0]!.id;
}

const COLUMNS: Array<[string, number]> = [
  ['backend', 9], ['ingest/s off', 13], ['ingest/s on', 12], ['change', 8], ['steady/s', 9], ['lag p50 / p99 / max', 26], ['>30 s', 6], ['not done', 9],
];

/**
 * Nobody rendered these: out of the queue, so the next phase renders only its own; then a
 * VACUUM, so the dead row versions this leaves do not weigh on whichever phase comes next.
 */
async function skipPending(db: Database, tenantId: string) {
  await db.query(`UPDATE activities SET processing_status = 'SKIPPED' WHERE tenant_id = $1 AND processing_status = 'PENDING'`, [tenantId]);
  await db.exec('VACUUM ANALYZE activities');
}

/**
 * Capacity with rendering off and on, `rounds` times (the machine's other load drifts), the
 * order swapped every round so the table's growth favours neither; each phase after a 2 s
 * warm-up on its own app.
 */
async function capacities(backend: Backend, tenantName: string, s: Settings) {
  const db = backend.db;
  const tenantId = await tenantIdOf(db, tenantName);
  const off: number[] = [];
  const on: number[] = [];
  const warm = { ...s, capacitySeconds: 2 };
  const measureOff = (round: number) => withPhase(backend, tenantName, RENDERING_OFF, async (p) => {
    await capacity(p.target, warm, `offw${round}`);
    const rate = await capacity(p.target, s, `off${round}`);
    await skipPending(db, tenantId);
    return rate;
  });
  const measureOn = (round: number) => withPhase(backend, tenantName, RENDERING_ON, async (p) => {
    await capacity(p.target, warm, `onw${round}`);
    const rate = await capacity(p.target, s, `on${round}`);
    await untilRendered(db, tenantId, 300_000);
    await db.exec('VACUUM ANALYZE activities');
    return rate;
  });
  for (let round = 0; round < s.rounds; round++) {
    if (round % 2 === 0) {
      off.push(await measureOff(round));
      on.push(await measureOn(round));
    } else {
      on.push(await measureOn(round));
      off.push(await measureOff(round));
    }
  }
  const median = (xs: number[]) => percentile(xs, 50);
  // Each round's two phases ran back to back, so their ratio cancels the machine's drift
  // between rounds; the change reported is the median of those ratios.
  const changes = off.map((x, i) => (on[i]! - x) / x);
  return {
    off: median(off), on: median(on), change: median(changes),
    rounds: off.map((x, i) => `${fmtInt(Math.round(x))}/${fmtInt(Math.round(on[i]!))} (${(changes[i]! * 100).toFixed(1)}%)`),
  };
}

async function benchBackend(backend: Backend, s: Settings) {
  console.log(`-- ${backend.name}: ${backend.detail}`);
  const tenantName = `bench-${randomBytes(4).toString('hex')}`;
  // Warm-up (JIT, caches, the first pages of the tables), not counted.
  await withPhase(backend, tenantName, RENDERING_OFF, async (p) => {
    await capacity(p.target, { ...s, capacitySeconds: 2 }, 'warm');
    await skipPending(backend.db, await tenantIdOf(backend.db, tenantName));
  });
  const tenantId = await tenantIdOf(backend.db, tenantName);
  const cap = await capacities(backend, tenantName, s);
  const result = await withPhase(backend, tenantName, RENDERING_ON, async (p) => {
    const run = await steady(p.target, s, 'lag');
    const left = await untilRendered(backend.db, tenantId, 120_000);
    return { cap, run, left, lag: await lags(backend.db, tenantId, 'lag', run.acks) };
  });
  const { off, on, change } = result.cap;
  const written = result.run.acks.reduce((n, a) => n + a.size, 0);
  const cells = [
    backend.name, fmtInt(Math.round(off)), fmtInt(Math.round(on)), `${(change * 100).toFixed(1)}%`,
    fmtInt(Math.round(written / result.run.elapsedS)),
    `${fmtMs(percentile(result.lag.samples, 50))} / ${fmtMs(percentile(result.lag.samples, 99))} / ${fmtMs(percentile(result.lag.samples, 100))}`,
    fmtInt(result.lag.late), fmtInt(result.lag.missing),
  ];
  console.log(row(cells.map((text, i) => [text, COLUMNS[i]![1]])));
  console.log(`   capacity rounds off/on: ${result.cap.rounds.join(', ')}; ${fmtInt(written)} activities at a target of ${fmtInt(s.rate)}/s in ${result.run.elapsedS.toFixed(1)} s, ${result.left} pending at the end`);
}

export async function main(): Promise<void> {
  const s = settings();
  console.log('Runlog rendering benchmark');
  console.log(machineLine());
  console.log(`payloads of ${SHAPES} shapes through POST /api/v1/ingest in batches of ${s.batch}; built-in analyzer`);
  console.log(`ingest/s: ${s.clients} clients sending as fast as they can for ${s.capacitySeconds} s, rendering off (no worker, nothing rendered at write), then on (the default), ${s.rounds} rounds (medians; change: the median of each round's on vs off)`);
  console.log(`lag: ${fmtInt(s.rate)} activities/s for ${s.seconds} s; batch acknowledged → activity COMPLETED (processed_at); >30 s and not done must be 0`);
  console.log('');
  console.log(row(COLUMNS));
  await eachBackend(s.backends, (backend) => benchBackend(backend, s));
}

import { performance } from 'node:perf_hooks';
import { buildApp, type AppOptions } from '../packages/server/src/app.ts';
import type { Database } from '../packages/server/src/db/database.ts';
import { migrate } from '../packages/server/src/db/migrate.ts';
import { createAuthService } from '../packages/server/src/domain/auth/auth.service.ts';
import { openPostgres } from '../packages/server/src/db/postgres.ts';
import { createLogger } from '../packages/server/src/logger.ts';
import { BACKENDS, DEFAULT_POSTGRES_URL } from './lib/backends.ts';
import { BenchUsageError, fmtInt, fmtMs, intEnv, machineLine, percentile, row } from './lib/common.ts';
import { DATASET_FORMAT, DEFAULT_SEED, loadDataset, makeWorld, readMarker, writeMarker, type LoadResult, type Marker } from './lib/signals-data.ts';
import { describeDataset } from './lib/signals-report.ts';
import * as SQL from './lib/signals-sql.ts';
import { tenantNames } from './lib/signals-world.ts';

/**
 * Signal endpoints (seed 001: status summary, runs by dimension, threshold runs, patterns,
 * cost analysis, attention queue) on a realistic data set: 1,000,000 runs and about
 * 10,000,000 trace steps over 30 days, 20 tenants, one with half the rows. Each endpoint is
 * called over real HTTP for the big tenant; beside it, the seed's own SQL on the same data.
 * PostgreSQL keeps the data set in a schema of its own and reuses it on the next run.
 */

const WARMUPS = 3;
const REQUEST_TIMEOUT_MS = 120_000;
const PG_RUNS = 1_000_000;
const PGLITE_RUNS = 100_000;

interface Settings {
  backend: 'postgres' | 'pglite';
  runs: number;
  seed: number;
  reload: boolean;
  requests: number;
  schema: string;
}

function settings(): Settings {
  const args = process.argv.slice(3);
  const flag = (name: string) => args.includes(name);
  const valueOf = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const backend = flag('--pglite') ? 'pglite' : (valueOf('--backend') ?? 'postgres');
  if (!BACKENDS.some((b) => b.name === backend)) throw new BenchUsageError(`--backend: choose one of ${BACKENDS.map((b) => b.name).join(', ')} (got "${backend}")`);
  const rawScale = valueOf('--scale') ?? process.env.RUNLOG_BENCH_SCALE ?? '1';
  const scale = Number(rawScale);
  if (!(scale > 0)) throw new BenchUsageError(`RUNLOG_BENCH_SCALE / --scale must be a positive number (got "${rawScale}")`);
  const schema = process.env.BENCH_SIGNALS_SCHEMA ?? 'bench_signals';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new BenchUsageError(`BENCH_SIGNALS_SCHEMA must be a plain lower-case identifier (got "${schema}")`);
  return {
    backend: backend as Settings['backend'],
    runs: Math.max(1_000, Math.round((backend === 'pglite' ? PGLITE_RUNS : PG_RUNS) * scale)),
    seed: intEnv('BENCH_SIGNALS_SEED', DEFAULT_SEED),
    reload: flag('--reload') || ['1', 'true', 'yes'].includes(process.env.BENCH_SIGNALS_RELOAD ?? ''),
    requests: intEnv('BENCH_SIGNALS_REQUESTS', 30),
    schema,
  };
}

interface Endpoint {
  label: string;
  path: string;
  sql: SQL.SignalSql;
}

/** The seven calls, each with the seed query that answers it. */
function endpoints(tenantId: string, now: number): Endpoint[] {
  const ctx = { tenantId, now };
  const weekAgo = new Date(now - 7 * 86_400_000).toISOString();
  return [
    { label: 'summary/by-status (7 days)', path: `/api/v1/activity/summary/by-status?started_after=${encodeURIComponent(weekAgo)}`, sql: SQL.summaryByStatus(ctx, weekAgo) },
    { label: 'runs/by-dimension provider_type LIVE', path: '/api/v1/activity/runs/by-dimension?dim=provider_type&state=LIVE', sql: SQL.runsByDimension(ctx, 'provider_type', 'LIVE') },
    { label: 'runs/by-dimension agent_id COMPLETED', path: '/api/v1/activity/runs/by-dimension?dim=agent_id&state=COMPLETED', sql: SQL.runsByDimension(ctx, 'agent_id', 'COMPLETED') },
    { label: 'runs?risk_level=NEAR_THRESHOLD,AT_RISK', path: '/api/v1/activity/runs?risk_level=NEAR_THRESHOLD&risk_level=AT_RISK&limit=50', sql: SQL.thresholdRuns(ctx, ['NEAR_THRESHOLD', 'AT_RISK'], 50) },
    { label: 'patterns?window=24h', path: '/api/v1/activity/patterns?window=24h', sql: SQL.patterns(ctx, 24) },
    { label: 'cost-analysis', path: '/api/v1/activity/cost-analysis', sql: SQL.costAnalysis(ctx) },
    { label: 'attention-queue?limit=20', path: '/api/v1/activity/attention-queue?limit=20', sql: SQL.attentionQueue(ctx, 20) },
  ];
}

type ApiResult = { samples: number[] } | { problem: string };

/** Sequential GETs after warm-ups; a 404 means the route is not there yet. */
async function timeApi(baseUrl: string, key: string, path: string, n: number): Promise<ApiResult> {
  const samples: number[] = [];
  for (let i = 0; i < WARMUPS + n; i++) {
    const t0 = performance.now();
    let res: Response;
    let body: string;
    try {
      res = await fetch(baseUrl + path, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      body = await res.text();
    } catch (err) {
      return { problem: `no answer: ${(err as Error).message.slice(0, 60)}` };
    }
    const ms = performance.now() - t0;
    if (res.status === 404) return { problem: 'not implemented' };
    if (!res.ok) return { problem: `HTTP ${res.status}: ${body.slice(0, 80)}` };
    if (i >= WARMUPS) samples.push(ms);
  }
  return { samples };
}

/** The statements one after the other, timed together; also how many rows each returned. */
async function timeSql(db: Database, q: SQL.SignalSql, n: number): Promise<{ samples: number[]; rows: string }> {
  const samples: number[] = [];
  let rows: number[] = [];
  for (let i = 0; i < WARMUPS + n; i++) {
    const t0 = performance.now();
    rows = [];
    for (const s of q.statements) rows.push((await db.query(s.sql, s.params)).rowCount);
    if (i >= WARMUPS) samples.push(performance.now() - t0);
  }
  return { samples, rows: rows.join('+') };
}

const COLUMNS: Array<[string, number]> = [['GET /api/v1/activity/…', 40], ['seed', 8], ['api p50', 10], ['api p95', 10], ['sql p50', 10], ['sql p95', 10], ['sql rows', 0]];

async function measure(db: Database, baseUrl: string, key: string, tenantId: string, n: number): Promise<void> {
  console.log(`\nbig tenant ${tenantId}: ${n} sequential requests (and ${n} runs of the seed SQL) each, after ${WARMUPS} warm-ups; p50 / p95`);
  console.log('api: buildApp() on 127.0.0.1 as runlog serve builds it (its background jobs run too), a read key; sql: the same database, same tenant');
  console.log(row(COLUMNS));
  for (const e of endpoints(tenantId, Date.now())) {
    const api = await timeApi(baseUrl, key, e.path, n);
    const sql = await timeSql(db, e.sql, n);
    const apiCells: Array<[string, number]> = 'problem' in api
      ? [[api.problem, 21]]
      : [[fmtMs(percentile(api.samples, 50)), 10], [fmtMs(percentile(api.samples, 95)), 10]];
    console.log(row([[e.label, 40], [e.sql.name, 8], ...apiCells, [fmtMs(percentile(sql.samples, 50)), 10], [fmtMs(percentile(sql.samples, 95)), 10], [sql.rows, 0]]));
  }
}

interface Session {
  db: Database;
  detail: string;
  realtime: AppOptions['realtime'];
  /** Load into this (null: the data set is already there, described by `marker`). */
  load: { copy?: { url: string; schema: string }; schema?: string } | null;
  marker: Marker | null;
}

function printLoad(result: LoadResult): void {
  const phases = result.phases.map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`).join(', ');
  console.log(`  loaded ${fmtInt(result.runs)} runs and ${fmtInt(result.steps)} trace steps in ${(result.ms / 1000).toFixed(1)} s (${phases})`);
}

/** Loads (or reuses) the data set, then starts the app on it: its background jobs must not meet tables without indexes. */
async function prepareData(s: Settings, session: Session): Promise<string> {
  const { db } = session;
  // The app's own auth service: the tenants are ordinary tenant rows.
  const auth = createAuthService({ db, logger: createLogger('silent'), keyCacheMs: 0 });
  const tenants = [];
  for (const name of tenantNames()) tenants.push(await auth.ensureTenant(name));
  if (session.load) {
    const now = Date.now();
    const result = await loadDataset({ db, copy: session.load.copy }, makeWorld(tenants.map((t) => t.id), s.seed), s.runs, s.seed, now);
    printLoad(result);
    if (session.load.schema) {
      await writeMarker(db, session.load.schema, {
        format: DATASET_FORMAT, seed: s.seed, runs: result.runs, steps: result.steps, loaded_at: new Date(now).toISOString(), load_ms: Math.round(result.ms),
      });
    }
  } else if (session.marker) {
    const m = session.marker;
    const hours = (Date.now() - Date.parse(m.loaded_at)) / 3_600_000;
    console.log(`  reusing the data set loaded ${hours.toFixed(1)} h ago (${m.loaded_at}, load took ${(m.load_ms / 1000).toFixed(1)} s): ${fmtInt(m.runs)} runs, ${fmtInt(m.steps)} steps; --reload or BENCH_SIGNALS_RELOAD=1 regenerates it ending now`);
    if (hours > 6) console.log('  note: the data ends when it was loaded, so the last-24-hour windows (patterns, cost, attention) see less of it as it ages');
  }
  return tenants[0]!.id;
}

async function runSession(s: Settings, session: Session): Promise<void> {
  const { db } = session;
  console.log(`-- ${s.backend}: ${session.detail}`);
  const bigTenantId = await prepareData(s, session);
  await describeDataset(db, bigTenantId);
  const { app, services } = await buildApp({ db, logger: createLogger('silent'), realtime: session.realtime });
  try {
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    const { key, row: keyRow } = await services.auth.createKey({ tenantId: bigTenantId, name: 'bench-signals', scopes: ['read'] });
    try {
      await measure(db, baseUrl, key, bigTenantId, s.requests);
    } finally {
      await services.auth.revokeKey(bigTenantId, keyRow.id);
    }
  } finally {
    await app.close();
  }
}

async function reachable(db: Database, url: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer within 3 s')), 3_000);
  });
  try {
    await Promise.race([db.query('SELECT 1'), deadline]);
  } catch (err) {
    throw new BenchUsageError(`PostgreSQL at ${url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')} is not reachable (${(err as Error).message}); set DATABASE_URL, or use --pglite`);
  } finally {
    clearTimeout(timer);
  }
}

async function runPostgres(s: Settings): Promise<void> {
  const url = process.env.DATABASE_URL || DEFAULT_POSTGRES_URL;
  const db = openPostgres({ url, schema: s.schema, max: 20 });
  try {
    await reachable(db, url);
    const marker = await readMarker(db, s.schema);
    const reuse = !s.reload && marker !== null && marker.format === DATASET_FORMAT && marker.seed === s.seed && marker.runs === s.runs;
    if (!reuse) {
      if (marker) console.log(`-- schema ${s.schema} holds ${fmtInt(marker.runs)} runs (format ${marker.format}, seed ${marker.seed})${s.reload ? '; reload asked for' : ''}: dropping it`);
      await db.exec(`DROP SCHEMA IF EXISTS ${s.schema} CASCADE`);
    }
    await migrate(db, s.schema);
    const { rows } = await db.query<{ server_version: string }>('SHOW server_version');
    await runSession(s, {
      db,
      detail: `PostgreSQL ${rows[0]?.server_version ?? '?'}, schema ${s.schema} (kept for the next run)`,
      realtime: { databaseUrl: url, databaseSchema: s.schema },
      load: reuse ? null : { copy: { url, schema: s.schema }, schema: s.schema },
      marker,
    });
  } finally {
    await db.close();
  }
}

async function runPglite(s: Settings): Promise<void> {
  const opened = await BACKENDS.find((b) => b.name === 'pglite')!.open();
  if ('skipped' in opened) throw new BenchUsageError(`PGlite: ${opened.skipped}`);
  try {
    await runSession(s, { db: opened.db, detail: opened.detail, realtime: opened.realtime, load: {}, marker: null });
  } finally {
    await opened.close();
  }
}

export async function main(): Promise<void> {
  const s = settings();
  console.log('Runlog signals benchmark');
  console.log(machineLine());
  console.log(`data set: ${fmtInt(s.runs)} runs (about ten trace steps each) over 30 days, ${tenantNames().length} tenants, the first with half of them; seed ${s.seed}`);
  await (s.backend === 'pglite' ? runPglite(s) : runPostgres(s));
}

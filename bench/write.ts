import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import pg from 'pg';
import { buildApp } from '../packages/server/src/app.ts';
import { createLogger } from '../packages/server/src/logger.ts';
import { DEFAULT_POSTGRES_URL, eachBackend } from './lib/backends.ts';
import { fmtInt, fmtRate, intEnv, machineLine, percentile, row } from './lib/common.ts';

/**
 * Single writes, the way an agent framework or a coding-assistant hook sends them: one
 * request per event, many clients at once. `POST /activities` under autocannon beside a
 * bare Fastify + node-postgres route doing one `INSERT … RETURNING *` per request into a
 * table of the same columns (the yardstick), then REST runs (create + start + complete).
 * Both loads come from autocannon in a process of its own, so the client's work does not
 * share the server's event loop and weighs the same in both figures.
 */

const ACTIVITY = {
  type: 'tool_use', action_name: 'tool.Bash', target_name: 'npm test', status: 'success', duration_ms: 840,
  source: 'bench', session_id: 'bench-session', data: { command: 'npm test', exit_code: 0 },
};

interface Figures {
  route: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const require = createRequire(import.meta.url);

/** Runs `args` with this Node and parses the one JSON document it prints (stderr: shown, or not). */
function jsonFromChild(args: string[], what: string, stderr: 'inherit' | 'ignore' = 'inherit'): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', stderr] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        resolve(JSON.parse(out));
      } catch (err) {
        reject(new Error(`${what} gave no result: ${(err as Error).message}`));
      }
    });
  });
}

/** autocannon in a process of its own, so the load generator does not share the server's event loop. */
async function autocannon(url: string, key: string, seconds: number, connections: number): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const bin = require.resolve('autocannon/autocannon.js');
  const r = await jsonFromChild([bin, '--json', '-c', String(connections), '-d', String(seconds), '-m', 'POST',
    '-H', 'content-type=application/json', '-H', `authorization=Bearer ${key}`, '-b', JSON.stringify(ACTIVITY), url], 'autocannon', 'ignore'); // its progress bar
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

interface RunFigures {
  runs: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
  firstError: string | null;
}

/** REST runs for `seconds`: each connection creates a pending run, starts it, completes it, and goes on. */
function runSequence(baseUrl: string, key: string, idPrefix: string, seconds: number, connections: number): Promise<RunFigures> {
  const script = new URL('./lib/run-sequence.ts', import.meta.url).pathname;
  return jsonFromChild(['--import', 'tsx', script, baseUrl, key, idPrefix, String(seconds), String(connections)], 'the run sequence');
}

/** The yardstick: the least a JSON API can do per event on this PostgreSQL. */
async function bareRoute(seconds: number, connections: number): Promise<Figures> {
  const url = process.env.DATABASE_URL || DEFAULT_POSTGRES_URL;
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  const table = `bench_bare_${process.pid}`;
  // The columns an activity row has (seq, jsonb payload, defaults), without Runlog's indexes and counter.
  await pool.query(`CREATE TABLE ${table} (tenant_id uuid NOT NULL, id text NOT NULL, seq bigint NOT NULL, type text,
    action_name text, target_name text, status text, duration_ms bigint, source text, session_id text, data jsonb,
    occurred_at timestamptz NOT NULL DEFAULT now(), created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, id))`);
  const app = Fastify();
  app.post('/activities', async (request) => {
    const b = request.body as typeof ACTIVITY;
    const { rows } = await pool.query(
      `INSERT INTO ${table} (tenant_id, id, seq, type, action_name, target_name, status, duration_ms, source, session_id, data)
       VALUES (gen_random_uuid(), gen_random_uuid()::text, 0, $1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [b.type, b.action_name, b.target_name, b.status, b.duration_ms, b.source, b.session_id, JSON.stringify(b.data)],
    );
    return rows[0];
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const r = await autocannon(`${address}/activities`, 'none', seconds, connections);
    return { route: 'bare Fastify + pg, INSERT … RETURNING *', ...r };
  } finally {
    await app.close();
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  }
}

export async function main(): Promise<void> {
  const seconds = intEnv('BENCH_SECONDS', 10);
  const connections = intEnv('BENCH_CONNECTIONS', 50);
  // REST runs swing from round to round on a small shared machine (groups fall into waves of
  // creates and of transitions); the median of a few rounds is the figure.
  const rounds = intEnv('BENCH_ROUNDS', 3);
  const backends = (process.env.BENCH_BACKENDS ?? 'pglite,postgres').split(',').map((b) => b.trim());
  console.log('Runlog single-write benchmark (group commit)');
  console.log(machineLine());
  console.log(`POST /api/v1/activities (a small tool-use activity): autocannon, ${connections} connections, ${seconds} s, in a process of its own`);
  console.log(`REST runs: autocannon, ${connections} connections, ${seconds} s, each connection POST /runs (pending) + /start + /complete, run after run; median of ${rounds} rounds`);
  console.log('');
  const figures: Figures[] = [];
  const runRates: string[] = [];
  if (backends.includes('postgres')) figures.push(await bareRoute(seconds, connections));
  await eachBackend(backends, async (backend) => {
    // BENCH_RENDER=off measures the write path alone (the render worker shares the CPUs and the database).
    const rendering = process.env.BENCH_RENDER === 'off' ? { workers: 0 } : {};
    const { app, services } = await buildApp({ db: backend.db, logger: createLogger('silent'), realtime: backend.realtime, rendering });
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const tenant = await services.auth.ensureTenant(`bench-write-${process.pid}`);
      const { key } = await services.auth.createKey({ tenantId: tenant.id, name: 'bench', scopes: ['ingest', 'read'], createdBy: null });
      await autocannon(`${baseUrl}/api/v1/activities`, key, 2, connections); // warm-up
      // Statistics as a running server has them (autovacuum on PostgreSQL, the minute job on
      // PGlite): a schema made a second ago has none, and the first minute is not the steady state.
      await backend.db.exec('ANALYZE');
      figures.push({ route: `Runlog POST /activities on ${backend.name}`, ...(await autocannon(`${baseUrl}/api/v1/activities`, key, seconds, connections)) });
      // Runs before the clock starts, then statistics that know runs exist.
      await runSequence(baseUrl, key, `w-${process.pid}-warm`, 3, connections);
      await backend.db.exec('ANALYZE');
      const measured: RunFigures[] = [];
      for (let round = 0; round < rounds; round++) measured.push(await runSequence(baseUrl, key, `w-${process.pid}-${round}`, seconds, connections));
      const rates = measured.map((r) => r.runs / r.seconds);
      const errors = measured.reduce((sum, r) => sum + r.errors, 0);
      const firstError = measured.find((r) => r.firstError)?.firstError;
      const median = (pick: (r: RunFigures) => number) => percentile(measured.map(pick), 50);
      runRates.push(`${backend.name.padEnd(9)} ${fmtRate(median((r) => r.runs / r.seconds)).padStart(10)} runs (rounds ${rates.map((r) => fmtInt(Math.round(r))).join(', ')})`
        + `   request p50 ${median((r) => r.p50)} ms  p99 ${median((r) => r.p99)} ms  errors ${errors}${firstError ? ` (${firstError})` : ''}`);
    } finally {
      await app.close();
    }
  });
  const widths: Array<[string, number]> = [['route', 44], ['req/s', 10], ['p50', 8], ['p99', 8], ['errors', 7]];
  console.log(row(widths));
  for (const f of figures) {
    console.log(row([[f.route, 44], [fmtInt(Math.round(f.rps)), 10], [`${f.p50} ms`, 8], [`${f.p99} ms`, 8], [String(f.errors), 7]]));
  }
  const bare = figures.find((f) => f.route.startsWith('bare'));
  const onPg = figures.find((f) => f.route.endsWith('postgres'));
  if (bare && onPg) console.log(`\nRunlog on PostgreSQL / bare route: ${(onPg.rps / bare.rps).toFixed(2)}×`);
  console.log('\nREST runs (create + start + complete):');
  for (const line of runRates) console.log(`  ${line}`);
}

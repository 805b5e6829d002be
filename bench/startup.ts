import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import pg from 'pg';
import { childEnv, freePort, REPO_ROOT, RUNLOG_BIN, tempDir } from '../packages/server/test/process-helpers.ts';
import { DEFAULT_POSTGRES_URL } from './lib/backends.ts';
import { fmtMs, intEnv, machineLine, row, sleep } from './lib/common.ts';

/**
 * How light `runlog serve` and `runlog hook` are, beside the floor each stands on, in one run:
 * - ready time (spawn → /readyz answers 200) and idle RSS of `runlog serve` on an existing
 *   embedded database, beside a bare script that opens PGlite on the same data, runs SELECT 1
 *   and idles (spawn → "ready");
 * - ready time and idle RSS of `runlog serve` on PostgreSQL;
 * - wall time of `runlog hook` delivering one payload to a running server, beside `node -e 0`.
 * Medians of BENCH_ROUNDS rounds (3); RSS is read from /proc after BENCH_IDLE_MS (5,000) idle.
 * (Importing the process helpers rebuilds dist/ first when the sources changed.)
 */

const BARE_SCRIPT = path.join(REPO_ROOT, 'bench/lib/bare-pglite.mjs');

interface Sample {
  readyMs: number;
  rssMb: number;
}

interface Running {
  proc: ChildProcess;
  readyMs: number;
  output: () => string;
  stop: () => Promise<void>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? Number.NaN;

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Spawns `node <args>` and resolves once `ready` does, with the time that took. */
async function launch(args: string[], env: Record<string, string>, ready: (output: () => string) => Promise<void>): Promise<Running> {
  const started = performance.now();
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<void>((resolve) => proc.on('close', () => resolve()));
  const stop = async () => {
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await Promise.race([ready(() => out), exited.then(() => Promise.reject(new Error(`${args.join(' ')} exited before it was ready:\n${out}`)))]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { proc, readyMs: performance.now() - started, output: () => out, stop };
}

const untilLine = (needle: string) => async (output: () => string) => {
  while (!output().includes(needle)) await sleep(5);
};

const untilReady = (origin: string) => async () => {
  for (;;) {
    try {
      const res = await fetch(`${origin}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
};

/** `runlog serve` with `env`, ready; `origin` is where it listens. */
async function launchServe(env: Record<string, string>): Promise<Running & { origin: string }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const running = await launch([RUNLOG_BIN, 'serve'], { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, untilReady(origin));
  return { ...running, origin };
}

/** Ready time, then RSS after `idleMs` of idling. */
async function sample(start: () => Promise<Running>, idleMs: number): Promise<Sample> {
  const running = await start();
  try {
    await sleep(idleMs);
    return { readyMs: running.readyMs, rssMb: rssMb(running.proc.pid!) };
  } finally {
    await running.stop();
  }
}

/** Wall time of one process run to its exit, stdin fed with `input`. */
function wallMs(args: string[], env: Record<string, string>, input = ''): { ms: number; stderr: string } {
  const started = performance.now();
  const res = spawnSync(process.execPath, args, { cwd: REPO_ROOT, env: childEnv(env), input, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (res.status !== 0) throw new Error(`${args.join(' ')} exited ${res.status}: ${res.stderr}`);
  return { ms, stderr: res.stderr };
}

/** `runlog hook` against a running server, each run beside a `node -e 0`, so both see the same load. */
async function hookSamples(dataDir: string, key: string, rounds: number): Promise<{ hook: number[]; node: number[]; stderr: string }> {
  const server = await launchServe({ RUNLOG_DATA_DIR: dataDir });
  const env = { RUNLOG_URL: server.origin, RUNLOG_API_KEY: key, RUNLOG_SPOOL: path.join(tempDir('runlog-bench-spool-'), 'spool.ndjson') };
  const result = { hook: [] as number[], node: [] as number[], stderr: '' };
  try {
    for (let i = 0; i < rounds; i++) {
      result.node.push(wallMs(['-e', '0'], {}).ms);
      const payload = JSON.stringify({
        session_id: 'bench-startup', hook_event_name: 'PreToolUse', tool_name: 'Read', tool_use_id: `toolu_bench_${i}`,
        tool_input: { file_path: '/tmp/x.ts' }, cwd: '/tmp',
      });
      const run = wallMs([RUNLOG_BIN, 'hook'], env, payload);
      result.hook.push(run.ms);
      result.stderr += run.stderr;
    }
  } finally {
    await server.stop();
  }
  return result;
}

async function postgresSamples(rounds: number, idleMs: number): Promise<Sample[] | string> {
  const url = process.env.DATABASE_URL || DEFAULT_POSTGRES_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
  } catch (err) {
    return `no PostgreSQL at ${url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')} (${(err as Error).message})`;
  }
  const schema = `bench_startup_${randomBytes(4).toString('hex')}`;
  const env = { DATABASE_URL: url, RUNLOG_DATABASE_SCHEMA: schema, RUNLOG_INIT_API_KEY: `rl_bench_${randomBytes(16).toString('hex')}` };
  try {
    await sample(() => launchServe(env), 0); // first start: migrations and the first tenant
    const samples: Sample[] = [];
    for (let i = 0; i < rounds; i++) samples.push(await sample(() => launchServe(env), idleMs));
    return samples;
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`);
    await client.end();
  }
}

function line(name: string, samples: Sample[], floor?: Sample): string {
  const ready = median(samples.map((s) => s.readyMs));
  const rss = median(samples.map((s) => s.rssMb));
  const over = floor ? `+${fmtMs(ready - floor.readyMs)}, +${(rss - floor.rssMb).toFixed(0)} MB` : '';
  return row([[name, 36], [fmtMs(ready), 10], [`${rss.toFixed(0)} MB`, 10], [over, 24]]);
}

export async function main(): Promise<void> {
  const rounds = intEnv('BENCH_ROUNDS', 3);
  const idleMs = intEnv('BENCH_IDLE_MS', 5_000);
  console.log(machineLine());
  const dir = tempDir('runlog-bench-startup-');
  const dataDir = path.join(dir, 'data');
  const key = `rl_bench_${randomBytes(16).toString('hex')}`;
  try {
    // An existing embedded database: created, migrated and given its first tenant by one start.
    await sample(() => launchServe({ RUNLOG_DATA_DIR: dataDir, RUNLOG_INIT_API_KEY: key }), 0);

    const bare: Sample[] = [];
    const serve: Sample[] = [];
    for (let i = 0; i < rounds; i++) {
      bare.push(await sample(() => launch([BARE_SCRIPT, path.join(dataDir, 'pg')], {}, untilLine('ready')), idleMs));
      serve.push(await sample(() => launchServe({ RUNLOG_DATA_DIR: dataDir }), idleMs));
    }
    const floor = { readyMs: median(bare.map((s) => s.readyMs)), rssMb: median(bare.map((s) => s.rssMb)) };
    const postgres = await postgresSamples(rounds, idleMs);
    const hooks = await hookSamples(dataDir, key, Math.max(5, rounds * 3));

    console.log(`\nmedians of ${rounds} rounds; RSS after ${idleMs} ms idle\n`);
    console.log(row([['', 36], ['ready', 10], ['idle RSS', 10], ['over the bare script', 24]]));
    console.log(line('bare script: PGlite open + SELECT 1', bare));
    console.log(line('runlog serve, embedded (existing)', serve, floor));
    console.log(typeof postgres === 'string' ? `runlog serve, PostgreSQL: skipped, ${postgres}` : line('runlog serve, PostgreSQL', postgres));
    const hook = median(hooks.hook);
    const node = median(hooks.node);
    console.log(`\nwall time, median of ${hooks.hook.length} runs`);
    console.log(row([['node -e 0', 36], [fmtMs(node), 10]]));
    console.log(row([['runlog hook (delivers one payload)', 36], [fmtMs(hook), 10], [`${(hook / node).toFixed(1)}× node -e 0`, 24]]));
    if (hooks.stderr.trim()) console.log(`\nrunlog hook said: ${hooks.stderr.trim().split('\n')[0]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

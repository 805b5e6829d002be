import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';

/**
 * `runlog hook` as Claude Code runs it: node packages/server/bin/runlog.js hook, one payload on
 * stdin, settings in the environment. It must always exit 0 quickly, print nothing on stdout,
 * and lose nothing: what it cannot deliver waits in the spool for the next call.
 */

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = path.join(REPO_ROOT, 'packages/server/bin/runlog.js');
/** The hook's default deadline (3 s from the process start) plus room for a loaded machine. */
const DEADLINE_SLACK_MS = 4_500;

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'runlog-hook-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface HookRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `runlog hook` with `input` on stdin; HOME is a temporary directory, Runlog settings only from `env`. */
function runHook(input: string, env: Record<string, string>, args: string[] = []): Promise<HookRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOME: tempDir() };
  for (const name of Object.keys(childEnv)) if (/^(RUNLOG_|VITEST)/.test(name) || name === 'DATABASE_URL' || name === 'NODE_ENV') delete childEnv[name];
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, 'hook', ...args], { cwd: REPO_ROOT, env: { ...childEnv, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.on('error', () => {}); // exited before reading: the run's result says so
  child.stdin.end(input);
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function spoolLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '') : [];
}

/** A port with nobody listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const payload = (fields: Record<string, unknown>) =>
  JSON.stringify({ session_id: 'sess-cli', transcript_path: '/home/ann/.claude/t.jsonl', cwd: '/home/ann/shop', permission_mode: 'default', ...fields });

describe.each(BACKENDS)('runlog hook against the server on %s', (backend) => {
  const ctx = useApp(backend);

  it('spools while the server is down and delivers everything once, in order, when it is back', async () => {
    const t = await createTenant(ctx);
    const spool = path.join(tempDir(), 'nested', 'spool.ndjson');
    const pre = payload({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_use_id: 'toolu_cli_1', tool_input: { command: 'npm test' } });
    const stop = payload({ hook_event_name: 'Stop', stop_hook_active: false });
    const post = payload({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_use_id: 'toolu_cli_1', tool_input: { command: 'npm test' }, tool_response: { stdout: 'ok', stderr: '', interrupted: false } });
    const down = { RUNLOG_URL: `http://127.0.0.1:${await closedPort()}`, RUNLOG_API_KEY: t.keys.ingest, RUNLOG_SPOOL: spool };

    // (1) Server down: exit 0 within the deadline, nothing on stdout, the payload in the spool.
    const first = await runHook(pre, down);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.ms).toBeLessThan(DEADLINE_SLACK_MS);
    expect(first.stderr).toContain('spooled');
    expect(spoolLines(spool)).toHaveLength(1);
    expect(JSON.parse(spoolLines(spool)[0]!)).toMatchObject({ hook_event_name: 'PreToolUse', tool_use_id: 'toolu_cli_1', runlog_observed_at: expect.any(String) });

    // (2) Still down: a second line.
    expect((await runHook(stop, down)).code).toBe(0);
    const spooled = spoolLines(spool);
    expect(spooled.map((l) => JSON.parse(l).hook_event_name)).toEqual(['PreToolUse', 'Stop']);

    // (3) Server up: the spool goes first (oldest first), then this payload; the spool is empty after.
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = ctx.app.server.address() as { port: number };
    const up = { ...down, RUNLOG_URL: `http://127.0.0.1:${port}` };
    const third = await runHook(post, up);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toBe('');
    expect(third.stderr).toBe('');
    expect(spoolLines(spool)).toEqual([]);
    const rows = async () => (await call(ctx, t.keys.read, 'GET', '/activities?session_id=sess-cli&after_seq=0')).body.activities as Record<string, any>[];
    const delivered = await rows();
    expect(delivered.map((r) => [r.seq, r.action_name, r.status])).toEqual([[1, 'Bash', 'in_progress'], [2, 'Stop', null], [3, 'Bash', 'success']]);
    // Timed from when each hook fired (stamped by the command), not from when it arrived.
    const firedPre = Date.parse(JSON.parse(spooled[0]!).runlog_observed_at);
    expect(new Date(delivered[0]!.occurred_at).getTime()).toBe(firedPre);
    expect(delivered[2]!.duration_ms).toBe(new Date(delivered[2]!.occurred_at).getTime() - firedPre);
    expect(delivered[2]!.duration_ms).toBeGreaterThan(0);

    // (4) The same tool payload again, and a spooled line delivered before (a killed process put it back): no new rows.
    writeFileSync(spool, `${spooled[1]}\n`);
    const again = await runHook(post, up);
    expect(again.code, again.stderr).toBe(0);
    expect(spoolLines(spool)).toEqual([]);
    expect((await rows()).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(readdirSync(path.dirname(spool))).toEqual([]);
  });
});

/** A stand-in server: records every body it is sent and answers what `answer` says. */
async function fakeServer(answer: (body: string) => number | 'hang') {
  const bodies: string[] = [];
  const server: Server = createHttpServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      bodies.push(body);
      const status = answer(body);
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(status < 300 ? '' : JSON.stringify({ error: 'x', message: `answer ${status}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    bodies,
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const stopLine = (n: number, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ session_id: 'sess-spool', hook_event_name: 'Stop', n, runlog_observed_at: new Date(Date.UTC(2026, 0, 5, 9, 0, n)).toISOString(), ...extra })}\n`;

describe('runlog hook spool', () => {
  it('two hooks running at once deliver every spooled line exactly once', async () => {
    const server = await fakeServer(() => 201);
    const spool = path.join(tempDir(), 'spool.ndjson');
    writeFileSync(spool, Array.from({ length: 30 }, (_, n) => stopLine(n)).join(''));
    const env = { RUNLOG_URL: server.url, RUNLOG_API_KEY: 'k', RUNLOG_SPOOL: spool };
    const runs = await Promise.all([runHook(payload({ hook_event_name: 'Stop', n: 'a' }), env), runHook(payload({ hook_event_name: 'Stop', n: 'b' }), env)]);
    await server.close();
    for (const run of runs) expect([run.code, run.stdout, run.stderr]).toEqual([0, '', '']);
    const seen = server.bodies.map((b) => JSON.parse(b).n);
    expect(seen).toHaveLength(32);
    expect(new Set(seen).size).toBe(32);
    // Each process delivers in time order; the spool was taken whole by one of them.
    expect(seen.filter((n) => typeof n === 'number')).toEqual(Array.from({ length: 30 }, (_, n) => n));
    expect(readdirSync(path.dirname(spool))).toEqual([]);
  });

  it('drops a line the server refuses, keeps lines for a server error or a refused key', async () => {
    let mode: 'normal' | 'busy' | 'key' = 'normal';
    const server = await fakeServer((body) => (mode === 'busy' ? 503 : mode === 'key' ? 401 : JSON.parse(body).bad ? 400 : 201));
    const spool = path.join(tempDir(), 'spool.ndjson');
    writeFileSync(spool, stopLine(1) + stopLine(2, { bad: true }) + 'not json\n' + stopLine(3));
    const env = { RUNLOG_URL: `${server.url}/api/v1`, RUNLOG_API_KEY: 'k', RUNLOG_SPOOL: spool };
    const run = await runHook(payload({ hook_event_name: 'Stop', n: 4 }), env);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('refused a payload with 400 (answer 400); dropped');
    expect(run.stderr).toContain('1 unreadable spool line(s) dropped');
    expect(server.bodies.map((b) => JSON.parse(b).n)).toEqual([1, 2, 3, 4]);
    expect(spoolLines(spool)).toEqual([]);

    mode = 'busy';
    expect((await runHook(payload({ hook_event_name: 'Stop', n: 5 }), env)).stderr).toContain('server answered 503; spooled');
    mode = 'key';
    expect((await runHook(payload({ hook_event_name: 'Stop', n: 6 }), env)).stderr).toContain('server answered 401');
    // The 401 run took the spool, was refused on its oldest line, and put both back in order.
    expect(spoolLines(spool).map((l) => JSON.parse(l).n)).toEqual([5, 6]);
    await server.close();
  });

  it('gives up at its deadline when the server does not answer, and spools the payload', async () => {
    const server = await fakeServer(() => 'hang');
    const spool = path.join(tempDir(), 'spool.ndjson');
    const run = await runHook(payload({ hook_event_name: 'Stop', n: 'slow' }), { RUNLOG_URL: server.url, RUNLOG_API_KEY: 'k', RUNLOG_SPOOL: spool }, ['--timeout', '1000']);
    await server.close();
    expect([run.code, run.stdout]).toEqual([0, '']);
    expect(run.ms).toBeLessThan(DEADLINE_SLACK_MS);
    expect(server.bodies).toHaveLength(1);
    expect(spoolLines(spool).map((l) => JSON.parse(l).n)).toEqual(['slow']);
  });

  it('without a URL spools under the home directory; ignores stdin that is no JSON object', async () => {
    const home = tempDir();
    const run = await runHook(payload({ hook_event_name: 'Stop' }), { HOME: home });
    expect([run.code, run.stdout]).toEqual([0, '']);
    expect(run.stderr).toContain('no server URL');
    expect(spoolLines(path.join(home, '.runlog', 'spool.ndjson'))).toHaveLength(1);
    const garbage = await runHook('this is not json', { HOME: home, RUNLOG_URL: 'http://127.0.0.1:9', RUNLOG_API_KEY: 'k' });
    expect([garbage.code, garbage.stdout]).toEqual([0, '']);
    expect(garbage.stderr).toContain('not a JSON object');
    expect(spoolLines(path.join(home, '.runlog', 'spool.ndjson'))).toHaveLength(1);
  });
});

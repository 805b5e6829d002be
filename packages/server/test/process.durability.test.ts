import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  api,
  cleanupTempDirs,
  errorLines,
  killAll,
  pool,
  randomSecret,
  startServer,
  tempDir,
  waitExit,
  waitForOutput,
  waitReady,
  type ServerProcess,
} from './process-helpers.ts';

/**
 * The real `runlog serve` process on an embedded data directory: what a client was told was
 * written must still be there after the process dies (SIGKILL) or is stopped (SIGTERM).
 */

type Status = 'pending' | 'running' | 'completed' | 'failed';

/** Every run whose last write got a 2xx, with the status that answer reported. */
type Acked = Map<string, Status>;

/** Creates run `id` and moves it along `path`, recording each acknowledged status. Returns the non-2xx answers. */
async function writeRun(server: ServerProcess, key: string, id: string, path: Array<'start' | 'complete' | 'fail'>, acked: Acked) {
  const failures: string[] = [];
  const created = await api(server.origin, key, 'POST', '/runs', { id, work_unit_name: 'durability', model: 'claude-sonnet-4-5' });
  if (created.status !== 201) return [`create ${id}: ${created.status} ${JSON.stringify(created.body)}`];
  acked.set(id, created.body.status);
  for (const step of path) {
    const body = step === 'complete' ? { input_tokens: 100, output_tokens: 10, output_data: { id } } : step === 'fail' ? { error: 'boom' } : undefined;
    const res = await api(server.origin, key, 'POST', `/runs/${id}/${step}`, body);
    if (res.status !== 200) {
      failures.push(`${step} ${id}: ${res.status} ${JSON.stringify(res.body)}`);
      break;
    }
    acked.set(id, res.body.status);
  }
  return failures;
}

/** Run i: one in five completed, one in five failed, one in five left running, the rest pending. */
function pathFor(i: number): Array<'start' | 'complete' | 'fail'> {
  if (i % 5 === 0) return ['start', 'complete'];
  if (i % 5 === 1) return ['fail'];
  if (i % 5 === 2) return ['start'];
  return [];
}

/** A process test starts the server two or three times; first starts on a new directory take ~10 s. */
const PROCESS_TEST_TIMEOUT = 300_000;

/** GETs every acknowledged run and returns those whose status differs (or that are missing). */
async function missingOrChanged(server: ServerProcess, key: string, acked: Acked): Promise<string[]> {
  const wrong: string[] = [];
  await pool([...acked], 10, async ([id, status]) => {
    const res = await api(server.origin, key, 'GET', `/runs/${id}`);
    if (res.status !== 200 || res.body.status !== status) wrong.push(`${id}: expected ${status}, got ${res.status} ${res.body?.status ?? JSON.stringify(res.body)}`);
  });
  return wrong;
}

function output(server: ServerProcess): string {
  return `${server.stdout}\n${server.stderr}`;
}

/** POST with a JSON body on a connection of its own that is closed after the answer. */
function postOnce(server: ServerProcess, key: string, url: string, body: unknown): Promise<{ status: number; body: any }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.origin}${url}`, {
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
    });
    req.on('response', (res) => {
      let answer = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk)).on('end', () => {
        let parsed: unknown = answer;
        try {
          parsed = JSON.parse(answer);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode!, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

/**
 * Starts `POST /api/v1/runs` for `id` and resolves once the server has accepted it, before the body
 * is sent: with `Expect: 100-continue`, Node's HTTP server answers "100 Continue" in the same step in
 * which it hands the request to Fastify (routing, auth hook). `finish()` sends the body.
 */
async function acceptedCreate(server: ServerProcess, key: string, id: string, { keepAlive }: { keepAlive: boolean }) {
  const body = JSON.stringify({ id, work_unit_name: 'in flight at SIGTERM' });
  const agent = keepAlive ? new http.Agent({ keepAlive: true }) : undefined;
  const req = http.request(`${server.origin}/api/v1/runs`, {
    method: 'POST',
    agent: agent ?? false,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      expect: '100-continue',
    },
  });
  const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
  });
  response.catch(() => {}); // awaited by the test; never an unhandled rejection
  const accepted = new Promise<void>((resolve, reject) => {
    req.on('continue', resolve);
    req.on('error', reject);
  });
  req.flushHeaders();
  await accepted;
  return { id, agent, response, finish: () => req.end(body) };
}

/** Resolves once new connections to the server are refused: it has stopped listening. */
async function waitRefused(server: ServerProcess, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    if (refused) return;
    if (Date.now() - started > timeoutMs) throw new Error(`still accepting connections ${timeoutMs} ms after the signal`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('runlog serve as a process on an embedded data directory', () => {
  afterEach(killAll);
  afterAll(cleanupTempDirs);
  /**
   * A data directory an earlier test initialised and stopped cleanly, when there is one. The
   * SIGTERM tests only need a server on a working directory: reusing it replaces a first start
   * (~10 s) by a restart. They fall back to a new directory, so each still runs on its own.
   */
  let initialised: { dataDir: string; key: string } | null = null;
  const dataDirForNextTest = () => initialised ?? { dataDir: tempDir(), key: randomSecret() };

  it('keeps every acknowledged write when the process is SIGKILLed right after it', async () => {
    const dataDir = tempDir();
    const key = randomSecret();
    const env = { RUNLOG_DATA_DIR: dataDir, RUNLOG_INIT_API_KEY: key, LOG_LEVEL: 'warn' };

    const first = await startServer(env);
    await waitReady(first, 120_000);

    const acked: Acked = new Map();
    const failures: string[] = [];
    const ids = Array.from({ length: 200 }, (_, i) => i);
    await pool(ids, 10, async (i) => {
      failures.push(...(await writeRun(first, key, `run-${i}`, pathFor(i), acked)));
    });
    // No await between the last acknowledgement and the kill.
    first.proc.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // A healthy server under 10 concurrent clients answers every write with 2xx.
    expect(failures).toEqual([]);
    expect(acked.size).toBe(200);
    expect(new Set(acked.values())).toEqual(new Set(['pending', 'running', 'completed', 'failed']));
    expect(errorLines(output(first))).toEqual([]);

    // The dead process left its lock behind; the next start takes it over.
    expect(readFileSync(path.join(dataDir, 'runlog.lock'), 'utf8').trim()).toBe(String(first.proc.pid));

    const second = await startServer(env);
    await waitReady(second, 120_000);
    expect(await missingOrChanged(second, key, acked)).toEqual([]);
    const completed = await api(second.origin, key, 'GET', '/runs/run-0');
    expect(completed.body).toMatchObject({ status: 'completed', input_tokens: 100, output_tokens: 10, output_data: { id: 'run-0' } });

    second.proc.kill('SIGTERM');
    expect(await waitExit(second, 15_000)).toEqual({ code: 0, signal: null });
    expect(errorLines(output(second))).toEqual([]);
    initialised = { dataDir, key };
  }, PROCESS_TEST_TIMEOUT);

  it('keeps every acknowledged single write when SIGKILLed while groups are still open', async () => {
    const { dataDir, key } = dataDirForNextTest();
    const env = { RUNLOG_DATA_DIR: dataDir, RUNLOG_INIT_API_KEY: key, LOG_LEVEL: 'warn' };
    const first = await startServer(env);
    await waitReady(first, 120_000);
    const acked: string[] = [];
    let killed = false;
    // 40 clients post single activities; the kill comes from inside the answer that makes 300,
    // while the other clients' writes are waiting in, or committing, their groups.
    await Promise.all(Array.from({ length: 40 }, async (_, c) => {
      for (let i = 0; !killed; i++) {
        const id = `mid-group-${c}-${i}`;
        const res = await postOnce(first, key, '/api/v1/activities', { id, type: 'note', action_name: 'note.added' }).catch(() => null);
        if (res?.status !== 201 || killed) return;
        acked.push(id);
        if (acked.length === 300) {
          killed = true;
          first.proc.kill('SIGKILL');
        }
      }
    }));
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const second = await startServer(env);
    await waitReady(second, 120_000);
    const stored = new Set<string>();
    for (let after = 0; ;) {
      const page = await api(second.origin, key, 'GET', `/activities?after_seq=${after}&limit=500`);
      for (const a of page.body.activities) stored.add(a.id);
      if (page.body.activities.length < 500) break;
      after = page.body.last_seq;
    }
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    second.proc.kill('SIGTERM');
    expect(await waitExit(second, 15_000)).toEqual({ code: 0, signal: null });
    initialised = { dataDir, key };
  }, PROCESS_TEST_TIMEOUT);

  it('on SIGTERM finishes the requests in flight, exits 0, removes the lock and restarts with the data', async () => {
    const { dataDir, key } = dataDirForNextTest();
    const env = { RUNLOG_DATA_DIR: dataDir, RUNLOG_INIT_API_KEY: key, LOG_LEVEL: 'warn' };

    const server = await startServer(env);
    await waitReady(server, 120_000);
    const lockFile = path.join(dataDir, 'runlog.lock');
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(server.proc.pid));

    const acked: Acked = new Map();
    const failures: string[] = [];
    await pool(Array.from({ length: 20 }, (_, i) => i), 10, async (i) => {
      failures.push(...(await writeRun(server, key, `before-${i}`, pathFor(i), acked)));
    });
    expect(failures).toEqual([]);

    // Three creates the server has accepted but not finished: their bodies are sent after the signal.
    // These clients close their connection after the answer (see the keep-alive test below).
    const inFlight = await Promise.all(['slow-0', 'slow-1', 'slow-2'].map((id) => acceptedCreate(server, key, id, { keepAlive: false })));

    // Creates racing with the signal on their own connections: each is either acknowledged (and must survive) or refused.
    const racing = Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const id = `racing-${i}`;
        try {
          const res = await postOnce(server, key, '/api/v1/runs', { id });
          if (res.status === 201) acked.set(id, res.body.status);
          return res.status;
        } catch {
          return 'refused';
        }
      }),
    );

    server.proc.kill('SIGTERM');
    // It stops accepting connections at once...
    await waitRefused(server);

    // ...and still finishes what it had accepted.
    for (const request of inFlight) request.finish();
    for (const request of inFlight) {
      const res = await request.response;
      expect(res.status, `${request.id}: ${JSON.stringify(res.body)}`).toBe(201);
      expect(res.body).toMatchObject({ id: request.id, status: 'pending' });
      acked.set(request.id, res.body.status);
    }
    // Nothing in between: no 500 from a database closed under a request, no half answer.
    for (const status of await racing) expect([201, 503, 'refused']).toContain(status);

    const exit = await waitExit(server, 15_000);
    expect(exit, output(server)).toEqual({ code: 0, signal: null });
    expect(errorLines(output(server))).toEqual([]);
    expect(existsSync(lockFile)).toBe(false);

    const restarted = await startServer(env);
    await waitReady(restarted, 120_000);
    expect(await missingOrChanged(restarted, key, acked)).toEqual([]);
    // Nothing refused was half written.
    for (let i = 0; i < 8; i++) {
      if (!acked.has(`racing-${i}`)) expect((await api(restarted.origin, key, 'GET', `/runs/racing-${i}`)).status).toBe(404);
    }

    restarted.proc.kill('SIGTERM');
    expect(await waitExit(restarted, 15_000)).toEqual({ code: 0, signal: null });
    expect(errorLines(output(restarted))).toEqual([]);
    initialised = { dataDir, key };
  }, PROCESS_TEST_TIMEOUT);

  it('on SIGTERM also exits promptly when a keep-alive client had a request in flight', async () => {
    const { dataDir, key } = dataDirForNextTest();
    const env = { RUNLOG_DATA_DIR: dataDir, RUNLOG_INIT_API_KEY: key, LOG_LEVEL: 'warn', RUNLOG_SHUTDOWN_TIMEOUT_MS: '2500' };
    const server = await startServer(env);
    await waitReady(server, 120_000);
    // Fully started (the job queue too: the banner follows it), so the 2.5 s are the shutdown's alone.
    await waitForOutput(() => output(server), 'Runlog is ready on', 60_000);

    // Like an SDK using fetch or an http.Agent with keepAlive (the Node 20 default).
    const request = await acceptedCreate(server, key, 'keep-alive-0', { keepAlive: true });
    server.proc.kill('SIGTERM');
    await waitRefused(server);
    request.finish();
    expect((await request.response).status).toBe(201);

    const exit = await waitExit(server, 15_000);
    request.agent?.destroy();
    expect(errorLines(output(server))).toEqual([]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(existsSync(path.join(dataDir, 'runlog.lock'))).toBe(false);
  }, PROCESS_TEST_TIMEOUT);
});

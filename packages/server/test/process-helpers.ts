import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, where `node packages/server/bin/runlog.js` is run from (like `npx runlog`). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RUNLOG_BIN = path.join(REPO_ROOT, 'packages/server/bin/runlog.js');

// The CLI runs the compiled dist/: rebuild it when src/ changed since the last build (a quick
// check when nothing did; concurrent test files wait for one build).
execFileSync(process.execPath, [path.join(REPO_ROOT, 'packages/server/scripts/build.mjs'), '--if-stale'], { stdio: ['ignore', 'inherit', 'inherit'] });

/** Settings the child must not inherit from the test process (a developer's shell or CI). */
const INHERITED_SETTINGS = [
  'PORT', 'HOST', 'RUNLOG_DATA_DIR', 'DATABASE_URL', 'RUNLOG_DATABASE_SCHEMA', 'RUNLOG_INIT_API_KEY', 'LOG_LEVEL',
  'RUNLOG_STALL_TIMEOUT_MS', 'RUNLOG_BODY_LIMIT_BYTES', 'RUNLOG_KEY_CACHE_MS', 'RUNLOG_SHUTDOWN_TIMEOUT_MS',
];

/** The test environment without Runlog settings, plus `env` (undefined values are dropped). */
export function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_SETTINGS) delete out[name];
  // Vitest sets these in its workers; the child is a plain production process.
  delete out.VITEST;
  delete out.VITEST_WORKER_ID;
  delete out.VITEST_POOL_ID;
  delete out.NODE_ENV;
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}

/** A port nobody listens on right now (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A fresh empty temporary directory; removed by `cleanupTempDirs`. */
const tempDirs: string[] = [];
export function tempDir(prefix = 'runlog-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
export function cleanupTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A secret good for RUNLOG_INIT_API_KEY (at least 20 characters, no spaces). */
export function randomSecret(): string {
  return `rl_test_${randomBytes(24).toString('hex')}`;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  proc: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<Exit>;
  /** Null while running. */
  exit: Exit | null;
}

const children = new Set<Child>();

/** Spawns `node packages/server/bin/runlog.js <args>` from the repository root, capturing its output. */
export function spawnRunlog(args: string[], env: Record<string, string | undefined>): Child {
  const proc = spawn(process.execPath, [RUNLOG_BIN, ...args], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const child: Child = {
    proc,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exit: null,
    exited: new Promise<Exit>((resolve) => {
      // 'close' (not 'exit'): the output pipes are drained too.
      proc.on('close', (code, signal) => {
        child.exit = { code, signal };
        children.delete(child);
        resolve(child.exit);
      });
      proc.on('error', () => {
        child.exit ??= { code: null, signal: null };
        children.delete(child);
        resolve(child.exit);
      });
    }),
  };
  children.add(child);
  return child;
}

/** Runs a CLI command to completion. */
export async function runCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 120_000) {
  const child = spawnRunlog(args, env);
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), timeoutMs);
  const exit = await child.exited;
  clearTimeout(timer);
  return { code: exit.code, signal: exit.signal, stdout: child.stdout, stderr: child.stderr };
}

/** Waits for the process to exit; SIGKILLs it and throws when it takes longer than `timeoutMs`. */
export async function waitExit(child: Child, timeoutMs: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const result = await Promise.race([child.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    await kill(child);
    throw new Error(`process ${child.proc.pid} did not exit within ${timeoutMs} ms\nstdout:\n${child.stdout}\nstderr:\n${child.stderr}`);
  }
  return result;
}

/** SIGKILLs the process if it still runs and waits until it is gone. */
export async function kill(child: Child): Promise<void> {
  if (child.exit) return;
  child.proc.kill('SIGKILL');
  await child.exited;
}

/** Kills every child these helpers started that is still running (afterEach/afterAll). */
export async function killAll(): Promise<void> {
  await Promise.all([...children].map(kill));
}

export interface ServerProcess extends Child {
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  dataDir: string | null;
}

/** `runlog serve` on a free port. `env` adds settings (RUNLOG_DATA_DIR, DATABASE_URL, …). */
export async function startServer(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawnRunlog(['serve'], { PORT: String(port), HOST: '127.0.0.1', ...env });
  return Object.assign(child, { port, origin: `http://127.0.0.1:${port}`, dataDir: env.RUNLOG_DATA_DIR ?? null });
}

/**
 * Polls GET /readyz until it answers 200. Fails at once when the process exits, and after
 * `timeoutMs` otherwise. Returns how long it took.
 */
export async function waitReady(server: ServerProcess, timeoutMs = 45_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (server.exit) {
      throw new Error(`server exited (${JSON.stringify(server.exit)}) before it was ready\nstdout:\n${server.stdout}\nstderr:\n${server.stderr}`);
    }
    try {
      const res = await fetch(`${server.origin}/readyz`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`server not ready after ${timeoutMs} ms\nstdout:\n${server.stdout}\nstderr:\n${server.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves when `text()` contains `needle`; throws after `timeoutMs`. */
export async function waitForOutput(text: () => string, needle: string | RegExp, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(typeof needle === 'string' ? text().includes(needle) : needle.test(text()))) {
    if (Date.now() - started > timeoutMs) throw new Error(`did not see ${String(needle)} within ${timeoutMs} ms in:\n${text()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Lines of the process output that report an error: pino JSON lines at level error (50) or
 * fatal (60), and any other non-JSON line mentioning an error (a crash, an uncaught exception).
 */
export function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => {
    const trimmed = line.trim();
    if (!trimmed) return false;
    if (trimmed.startsWith('{')) {
      try {
        const entry = JSON.parse(trimmed) as { level?: number };
        return typeof entry.level === 'number' && entry.level >= 50;
      } catch {
        // fall through: not a log line
      }
    }
    return /error|exception|fatal/i.test(trimmed);
  });
}

export interface ApiResponse {
  status: number;
  body: any;
}

/** One JSON API call with a bearer key. */
export async function api(origin: string, key: string | null, method: string, url: string, body?: unknown): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${origin}${url.startsWith('/api/') ? url : `/api/v1${url}`}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

/** Runs `fn` over `items` with at most `concurrency` calls at a time. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

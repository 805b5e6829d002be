import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { childEnv, tempDir } from '../../server/test/process-helpers.ts';

const run = promisify(execFile);
const SDK_DIR = fileURLToPath(new URL('../', import.meta.url));

/**
 * `npm pack` of the SDK (its prepack builds dist/), installed with `npm install <tarball>`
 * into a fresh project outside the repository: what a user gets from the registry.
 */
export async function installPackedSdk(): Promise<string> {
  const packDir = tempDir('runlog-sdk-pack-');
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: SDK_DIR });
  const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string }];
  const project = tempDir('runlog-sdk-user-');
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'sdk-user', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(packDir, filename)], { cwd: project });
  return project;
}

export interface Script {
  child: ChildProcess;
  /** JSON lines the script printed so far. */
  messages: Record<string, any>[];
  /** Resolves with the first message matching; rejects if the script ends first. */
  waitFor: (match: (m: Record<string, any>) => boolean) => Promise<Record<string, any>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Runs an ES module in the user project; it prints one JSON object per line. */
export function startScript(project: string, source: string, env: Record<string, string>): Script {
  const file = path.join(project, `script-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, source);
  const child = spawn(process.execPath, [file], { cwd: project, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: Record<string, any>[] = [];
  const listeners = new Set<() => void>();
  let stderr = '';
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        messages.push(JSON.parse(line));
      } catch {
        stderr += `stdout: ${line}\n`;
      }
      for (const l of listeners) l();
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      for (const l of listeners) l();
      resolve({ code, signal, stderr });
    }),
  );
  const waitFor = (match: (m: Record<string, any>) => boolean) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const check = () => {
        const found = messages.find(match);
        if (found) {
          listeners.delete(check);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          listeners.delete(check);
          reject(new Error(`script ended (${child.exitCode ?? child.signalCode}) before the message; stderr:\n${stderr}`));
        }
      };
      listeners.add(check);
      check();
    });
  return { child, messages, waitFor, exited };
}

/** Runs a script to its end; fails with its stderr when it does not exit 0. */
export async function runScript(project: string, source: string, env: Record<string, string>) {
  const script = startScript(project, source, env);
  const end = await script.exited;
  if (end.code !== 0) throw new Error(`script exited ${end.code ?? end.signal}:\n${end.stderr}`);
  return script.messages;
}

export function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

export type ProxyStep = 'forward' | 'forward-then-cut' | 'unavailable';

/**
 * An HTTP proxy in front of the server acting out one step per request: forward it, forward
 * it and cut the connection before the answer reaches the client (the server did the work),
 * or answer 503 with Retry-After itself. After the listed steps it forwards.
 */
export function flakyProxy(upstream: string, steps: ProxyStep[]) {
  const seen: ProxyStep[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const step = steps[seen.length] ?? 'forward';
    seen.push(step);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (step === 'unavailable') {
      res.writeHead(503, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"error":"unavailable","message":"try later"}');
      return;
    }
    const answer = await fetch(`${upstream}${req.url}`, {
      method: req.method,
      headers: { authorization: req.headers.authorization ?? '', 'content-type': req.headers['content-type'] ?? '' },
      body: Buffer.concat(chunks),
    });
    const body = await answer.text();
    if (step === 'forward-then-cut') {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(body);
  });
  return { server, seen };
}

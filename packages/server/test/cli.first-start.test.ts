import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { api, cleanupTempDirs, kill, killAll, runCli, spawnRunlog, startServer, tempDir, waitExit, waitForOutput, waitReady } from './process-helpers.ts';

/**
 * A first start that cannot lock the newcomer out: a taken port is found before anything is
 * created; the credentials are printed at every start until the owner signs in; a mistyped
 * tenant is refused instead of silently created. Through the built CLI, on each backend.
 */

type Backend = 'pglite' | 'postgres';
const BACKENDS: Backend[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
const TIMEOUT = 480_000;

afterAll(async () => {
  await killAll();
  cleanupTempDirs();
});

async function onServer(sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

interface Shown {
  password: string;
  key: string;
}

/** The owner's password and the admin key from a start's banner. */
function shown(stdout: string): Shown {
  const password = /\(password: (\S+)\)/.exec(stdout)?.[1];
  const key = /Admin API key \(store it now\): (\S+)/.exec(stdout)?.[1];
  expect(password, stdout).toBeDefined();
  expect(key, stdout).toBeDefined();
  return { password: password!, key: key! };
}

describe.concurrent.each(BACKENDS)('first start on %s', (backend) => {
  const dataDir = path.join(tempDir('runlog-first-'), 'data');
  const schema = `first_${randomBytes(6).toString('hex')}`;
  const env: Record<string, string> = backend === 'pglite'
    ? { RUNLOG_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }
    : { RUNLOG_DATA_DIR: dataDir, DATABASE_URL: process.env.DATABASE_URL!, RUNLOG_DATABASE_SCHEMA: schema, LOG_LEVEL: 'warn' };
  const schemaExists = async () => (await onServer('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;

  afterAll(async () => {
    if (backend === 'postgres') await onServer(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`);
  });

  /** Starts the server, waits until it is ready and has printed what it prints at start, stops it with SIGTERM. */
  async function startAndStop(check: (stdout: string, origin: string) => Promise<void>, banner = true): Promise<string> {
    const server = await startServer(env);
    try {
      await waitReady(server, 300_000);
      // Printed right after it starts listening; the last line of it is the curl example.
      if (banner) await waitForOutput(() => server.stdout, 'Try: curl', 10_000);
      await check(server.stdout, server.origin);
      server.proc.kill('SIGTERM');
      expect(await waitExit(server, 20_000), server.stderr).toEqual({ code: 0, signal: null });
      return server.stdout;
    } finally {
      await kill(server);
    }
  }

  let first: Shown;

  it.sequential('a taken port stops the first start before the database or any credential exists', async () => {
    const blocker = await listen();
    const { port } = blocker.address() as { port: number };
    try {
      const server = spawnRunlog(['serve'], { ...env, PORT: String(port) });
      const exit = await waitExit(server, 60_000);
      expect(exit.code, server.stderr).toBe(1);
      expect(server.stderr.trim().split('\n')).toHaveLength(1);
      expect(server.stderr).toContain(`127.0.0.1:${port} is already in use (EADDRINUSE)`);
      expect(server.stdout).toBe('');
    } finally {
      blocker.close();
    }
    if (backend === 'pglite') expect(existsSync(dataDir)).toBe(false);
    else expect(await schemaExists()).toBe(false);
  }, TIMEOUT);

  it.sequential('the next start on a free port creates them and prints them; they work', async () => {
    const stdout = await startAndStop(async (out, origin) => {
      const creds = shown(out);
      expect((await api(origin, creds.key, 'GET', '/runs')).status).toBe(200);
    });
    expect(stdout).toContain('Created tenant "default" with owner owner@localhost');
    first = shown(stdout);
  }, TIMEOUT);

  it.sequential('a start killed before anyone signed in: the next start shows the same credentials again', async () => {
    const killed = await startServer(env);
    await waitReady(killed, 300_000);
    await kill(killed); // SIGKILL: whatever it printed may be lost
    const stdout = await startAndStop(async () => {});
    expect(stdout).toContain('shown again until the owner signs in');
    expect(shown(stdout)).toEqual(first);
  }, TIMEOUT);

  it.sequential('keys create and users create refuse a mistyped tenant, naming the nearest one', async () => {
    const keys = await runCli(['keys', 'create', '--tenant', 'defualt', '--scopes', 'read'], env);
    expect(keys.code).toBe(2);
    expect(keys.stderr.trim()).toBe('runlog: --tenant: no tenant named "defualt"; did you mean "default"? (add --create-tenant to create it)');
    const users = await runCli(['users', 'create', '--tenant', 'acme', '--email', 'ann@example.com'], env);
    expect(users.code).toBe(2);
    expect(users.stderr).toContain('no tenant named "acme"');
    const listed = await runCli(['keys', 'list', '--tenant', 'defualt', '--json'], env);
    expect(listed.code, 'the refused tenant was not created').toBe(2);

    const created = await runCli(['users', 'create', '--tenant', 'acme', '--email', 'ann@example.com', '--create-tenant', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const key = await runCli(['keys', 'create', '--tenant', 'default', '--scopes', 'read', '--json'], env);
    expect(key.code, key.stderr).toBe(0);
  }, TIMEOUT);

  it.sequential('once the owner has signed in, a start no longer prints them', async () => {
    await startAndStop(async (_out, origin) => {
      const login = await fetch(`${origin}/api/v1/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'owner@localhost', password: first.password }),
      });
      expect(login.status).toBe(200);
    });
    const stdout = await startAndStop(async (_out, origin) => {
      expect((await api(origin, first.key, 'GET', '/runs')).status, 'the key still works').toBe(200);
    }, false);
    expect(stdout).not.toContain('password');
    expect(stdout).not.toContain(first.key);
  }, TIMEOUT);
});

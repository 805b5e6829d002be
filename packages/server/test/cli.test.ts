import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  cleanupTempDirs,
  errorLines,
  kill,
  killAll,
  runCli,
  spawnRunlog,
  startServer,
  tempDir,
  waitExit,
  waitForOutput,
  waitReady,
  type ServerProcess,
} from './process-helpers.ts';

/**
 * The `runlog` command as a user runs it: node packages/server/bin/runlog.js <command>, against
 * a new embedded data directory, and against PostgreSQL (a schema of its own) when DATABASE_URL is set.
 */

type Backend = 'pglite' | 'postgres';
const BACKENDS: Backend[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** Every CLI run on an embedded directory opens PGlite (a few seconds); a story runs several. */
const CLI_TEST_TIMEOUT = 150_000;

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

// The suites below run at the same time (their steps in order), so each kills only its own
// children; this kills whatever is left once all are done.
afterAll(async () => {
  await killAll();
  cleanupTempDirs();
});

describe.concurrent('runlog CLI: a bad setting or command stops it with exit code 2', () => {
  // Each case: arguments, environment, the setting the one stderr line must name.
  const cases: Array<[string, string[], Record<string, string>, string]> = [
    ['PORT=abc', ['serve'], { PORT: 'abc' }, 'PORT'],
    ['LOG_LEVEL=loud', ['serve'], { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    ['keys create --scopes nope', ['keys', 'create', '--tenant', 'acme', '--scopes', 'nope'], {}, '--scopes'],
  ];

  it.each(cases)('%s: one line on stderr naming the setting, nothing touched', async (_name, args, env, setting) => {
    const dataDir = path.join(tempDir(), 'data');
    const result = await runCli(args, { RUNLOG_DATA_DIR: dataDir, ...env });
    expect(result.code, result.stderr).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr.startsWith(`runlog: ${setting}: `), result.stderr).toBe(true);
    expect(result.stdout).toBe('');
    // Settings are checked before the database is opened: no data directory appears.
    expect(existsSync(dataDir)).toBe(false);
  });

  it('an unknown command: exit code 2, the usage on stderr', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const result = await runCli(['frobnicate'], { RUNLOG_DATA_DIR: dataDir });
    expect(result.code).toBe(2);
    expect(lines(result.stderr)[0]).toBe('runlog: unknown command "frobnicate"');
    expect(result.stderr).toContain('usage: runlog <command>');
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe.concurrent.each(BACKENDS)('runlog CLI on %s', (backend) => {
  // One data directory (or schema) through the whole story, in order: migrate, create keys, list,
  // revoke, then a server on the same database. (Each step on a new embedded directory would cost
  // a first start of PGlite.)
  const dataDir = tempDir('runlog-cli-');
  const schema = `cli_${randomBytes(6).toString('hex')}`;
  const env: Record<string, string> =
    backend === 'pglite'
      ? { RUNLOG_DATA_DIR: dataDir }
      : // The data directory is set too, so a mistake cannot write ./runlog-data in the repository.
        { RUNLOG_DATA_DIR: dataDir, DATABASE_URL: process.env.DATABASE_URL!, RUNLOG_DATABASE_SCHEMA: schema };

  const cli = async (...args: string[]) => {
    const result = await runCli(args, env);
    return { ...result, json: result.code === 0 && args.includes('--json') ? JSON.parse(result.stdout) : undefined };
  };

  const state: { tenantId?: string; readWrite?: { key: string; key_id: string }; readOnly?: { key: string; key_id: string } } = {};

  /** A query on the PostgreSQL server, outside Runlog. */
  async function onServer<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      return await client.query<R>(sql, params);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    if (backend === 'postgres') expect((await onServer(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema])).rowCount).toBe(0);
  });
  afterAll(async () => {
    if (backend === 'postgres') await onServer(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it.sequential('migrate applies the migrations on a new database, then says it is up to date', async () => {
    const first = await cli('migrate');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim()).toMatch(/^applied \d+_[a-z0-9_]+(, \d+_[a-z0-9_]+)*$/);
    expect(first.stdout).toContain('13_schema');
    expect(errorLines(first.stdout + first.stderr)).toEqual([]);
    const applied = first.stdout.trim().slice('applied '.length).split(', ');
    if (backend === 'pglite') {
      expect(readdirSync(path.join(dataDir, 'pg')).length).toBeGreaterThan(0);
      expect(existsSync(path.join(dataDir, 'runlog.lock')), 'the lock is released on exit').toBe(false);
    } else {
      // In the configured schema, so several installs can share one database.
      const { rows } = await onServer<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.schema_migrations`);
      expect(rows[0]!.n).toBe(applied.length);
    }

    const second = await cli('migrate');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.trim()).toBe('the database is up to date');
  }, CLI_TEST_TIMEOUT);

  it.sequential('keys create prints one JSON line; again for the same tenant: same tenant, a different key', async () => {
    const first = await cli('keys', 'create', '--tenant', 'acme', '--scopes', 'ingest,read', '--create-tenant', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(lines(first.stdout)).toHaveLength(1);
    expect(first.json).toMatchObject({
      tenant_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      key: expect.any(String),
      key_id: expect.any(String),
      scopes: ['ingest', 'read'],
    });
    expect(first.json.key.length).toBeGreaterThanOrEqual(20);

    const second = await cli('keys', 'create', '--tenant', 'acme', '--scopes', 'read', '--name', 'dashboard', '--json');
    expect(second.code, second.stderr).toBe(0);
    expect(lines(second.stdout)).toHaveLength(1);
    expect(second.json.tenant_id).toBe(first.json.tenant_id);
    expect(second.json.key).not.toBe(first.json.key);
    expect(second.json.key_id).not.toBe(first.json.key_id);
    expect(second.json.scopes).toEqual(['read']);

    Object.assign(state, { tenantId: first.json.tenant_id, readWrite: first.json, readOnly: second.json });
  }, CLI_TEST_TIMEOUT);

  it.sequential('keys revoke marks a key revoked; keys list shows both with scopes, revoked_at, and never a secret', async () => {
    const revoked = await cli('keys', 'revoke', '--tenant', 'acme', state.readWrite!.key_id);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout.trim()).toBe(`revoked ${state.readWrite!.key_id}`);

    const listed = await cli('keys', 'list', '--tenant', 'acme', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect(lines(listed.stdout)).toHaveLength(1);
    const byId = new Map<string, Record<string, unknown>>(listed.json.map((k: { id: string }) => [k.id, k]));
    expect([...byId.keys()].sort()).toEqual([state.readWrite!.key_id, state.readOnly!.key_id].sort());
    expect(byId.get(state.readWrite!.key_id)).toMatchObject({ scopes: ['ingest', 'read'], tenant_id: state.tenantId, revoked_at: expect.any(String) });
    expect(Date.now() - new Date(byId.get(state.readWrite!.key_id)!.revoked_at as string).getTime()).toBeLessThan(5 * 60_000);
    expect(byId.get(state.readOnly!.key_id)).toMatchObject({ scopes: ['read'], name: 'dashboard', revoked_at: null });
    for (const row of byId.values()) {
      expect(Object.keys(row)).not.toContain('key');
      expect(Object.keys(row).filter((name) => /hash|secret/i.test(name))).toEqual([]);
    }
    expect(listed.stdout).not.toContain(state.readWrite!.key);
    expect(listed.stdout).not.toContain(state.readOnly!.key);
  }, CLI_TEST_TIMEOUT);

  it.sequential('serve on a port that is already taken prints one line and exits instead of hanging', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const server = spawnRunlog(['serve'], { ...env, PORT: String(port), LOG_LEVEL: 'warn' });
    try {
      await waitForOutput(() => server.stderr, 'EADDRINUSE', 60_000);
      const exit = await waitExit(server, 2_000); // kills it and throws when it does not exit
      expect(exit.code).toBe(1);
      expect(lines(server.stderr)).toHaveLength(1);
      expect(server.stderr).toContain(`127.0.0.1:${port}`);
    } finally {
      await kill(server);
      blocker.close();
    }
  }, CLI_TEST_TIMEOUT);

  it.sequential('a server started afterwards accepts the CLI keys by scope and rejects the revoked one', async () => {
    const server: ServerProcess = await startServer({ ...env, LOG_LEVEL: 'warn' });
    try {
      await waitReady(server, 60_000);

      const readOnly = state.readOnly!.key;
      expect((await api(server.origin, readOnly, 'GET', '/runs')).status).toBe(200);
      const forbidden = await api(server.origin, readOnly, 'POST', '/runs', { id: 'from-a-read-key' });
      expect(forbidden.status).toBe(403);
      expect((await api(server.origin, null, 'GET', '/runs')).status).toBe(401);
      expect((await api(server.origin, state.readWrite!.key, 'GET', '/runs')).status, 'revoked key').toBe(401);

      if (backend === 'pglite') {
        // The embedded database belongs to the server: the CLI refuses to open it beside it.
        const refused = await cli('keys', 'create', '--tenant', 'acme', '--scopes', 'ingest', '--json');
        expect(refused.code).toBe(2);
        expect(lines(refused.stderr)).toHaveLength(1);
        expect(refused.stderr).toMatch(/in use/);
        expect(refused.stderr).toContain(String(server.proc.pid));
        expect(refused.stdout).toBe('');
        // ...and leaves the server's lock in place.
        expect(readFileSync(path.join(dataDir, 'runlog.lock'), 'utf8').trim()).toBe(String(server.proc.pid));
      } else {
        // On PostgreSQL the CLI works beside a running server, and the new key is accepted at once.
        const created = await cli('keys', 'create', '--tenant', 'acme', '--scopes', 'ingest', '--json');
        expect(created.code, created.stderr).toBe(0);
        expect((await api(server.origin, created.json.key, 'POST', '/runs', { id: 'from-a-new-key' })).status).toBe(201);
      }
      // The server keeps serving after the CLI ran beside it.
      expect((await api(server.origin, readOnly, 'GET', '/runs')).status).toBe(200);

      server.proc.kill('SIGTERM');
      expect(await waitExit(server, 15_000)).toEqual({ code: 0, signal: null });
      expect(errorLines(server.stdout + server.stderr)).toEqual([]);
    } finally {
      await kill(server); // a no-op when it already exited
    }
  }, CLI_TEST_TIMEOUT);
});

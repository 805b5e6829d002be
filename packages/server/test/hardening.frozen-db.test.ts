import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type RunlogApp } from '../src/app.ts';
import type { Database } from '../src/db/database.ts';
import { openPostgres } from '../src/db/postgres.ts';
import { jobsSchemaFor } from '../src/jobs/job-queue.ts';
import { createLogger } from '../src/logger.ts';
import { openTestDatabase, type TestDatabase } from './helpers.ts';
import { startFreezableProxy } from './freezable-proxy.ts';
import { eventually } from './hardening-helpers.ts';

/**
 * PostgreSQL that stops answering (not stopped: frozen, connections open). PGlite has no
 * network and runs in this process, so only /readyz's own deadline applies to it.
 */
describe.skipIf(!process.env.DATABASE_URL)('a frozen database (postgres)', () => {
  let testDb: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startFreezableProxy>>;
  let db: Database;
  let built: RunlogApp;
  let key: string;

  beforeAll(async () => {
    testDb = await openTestDatabase('postgres');
    const url = new URL(process.env.DATABASE_URL!);
    proxy = await startFreezableProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    db = openPostgres({ url: url.href, schema: testDb.schema, max: 4, statementTimeoutMs: 1_000, longStatementTimeoutMs: 3_000, connectTimeoutMs: 1_000 });
    built = await buildApp({ db, logger: createLogger('silent'), jobs: { schema: jobsSchemaFor(testDb.schema), pollingIntervalSeconds: 0.5 }, readyTimeoutMs: 500, keyCacheMs: 60_000 });
    await built.app.ready();
    const tenant = await built.services.auth.ensureTenant(`frozen-${testDb.schema}`);
    key = (await built.services.auth.createKey({ tenantId: tenant.id, name: 'k', scopes: ['ingest', 'read'] })).key;
  });
  afterAll(async () => {
    proxy?.thaw();
    await built?.app.close();
    await db?.close();
    await proxy?.close();
    await testDb?.drop();
  });

  const request = (method: 'GET' | 'POST', url: string, payload?: object) =>
    built.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });

  it('answers 503 unavailable to writes, reads and /readyz while frozen, then recovers', async () => {
    expect((await request('POST', '/api/v1/runs', { id: 'before' })).statusCode).toBe(201);
    expect((await built.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);

    proxy.freeze();
    // More requests in flight than the pool has connections: those waiting for one get its deadline too.
    const during = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => request('POST', '/api/v1/runs', { id: `during-${i}` })),
      request('GET', '/api/v1/runs'),
      built.app.inject({ method: 'GET', url: '/readyz' }),
    ]);
    // Every answer above arrived while the database was still frozen.
    for (const res of during.slice(0, 7)) {
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json()).toEqual({ error: 'unavailable', message: expect.any(String), details: {} });
      expect(res.headers['retry-after']).toBe('5');
    }
    expect(during[7]!.statusCode).toBe(503);
    expect(during[7]!.json()).toMatchObject({ error: 'unavailable', status: 'not_ready', reason: 'database unreachable' });

    proxy.thaw();
    await eventually(async () => (await built.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200);
    await eventually(async () => (await request('POST', '/api/v1/runs', { id: 'after' })).statusCode === 201);
    expect((await request('GET', '/api/v1/runs/after')).json()).toMatchObject({ id: 'after', status: 'pending' });
  }, 60_000);

  it('gives the minute job a longer deadline than a request, on its own connection', async () => {
    const slow = db.longRunning!();
    // 1.5 s: past a request's deadline (1 s), within the job's (3 s).
    await expect(db.query('SELECT pg_sleep(1.5)')).rejects.toMatchObject({ code: '57014' });
    await expect(slow.query('SELECT pg_sleep(1.5)')).resolves.toMatchObject({ rowCount: 1 });
    await expect(slow.query('SELECT pg_sleep(3.5)')).rejects.toMatchObject({ code: '57014' });
    // Connections go back to the pool with the request deadline.
    const settings = await Promise.all(Array.from({ length: 4 }, () => db.query<{ t: string }>(`SELECT current_setting('statement_timeout') AS t`)));
    expect(settings.map((s) => s.rows[0]!.t)).toEqual(['1s', '1s', '1s', '1s']);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';

describe.each(BACKENDS)('operations routes on %s', (backend) => {
  const ctx = useApp(backend);

  it('answers health, readiness with the database kind, and Prometheus metrics', async () => {
    expect((await call(ctx, null, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await call(ctx, null, 'GET', '/readyz')).body).toEqual({ status: 'ready', database: backend });
    const t = await createTenant(ctx);
    await call(ctx, t.keys.both, 'POST', '/runs', { id: 'm' });
    const metrics = await call(ctx, null, 'GET', '/metrics');
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.text).toMatch(/runlog_http_requests_total\{method="POST",route="\/api\/v1\/runs",status="201"\} 1/);
    expect(metrics.text).toContain('runlog_http_request_duration_seconds_bucket');
  });

  it('reports not ready when a migration is missing', async () => {
    await ctx.db.query(`DELETE FROM schema_migrations WHERE version = 14`);
    const res = await call(ctx, null, 'GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.body.reason).toBe('migrations pending');
    await ctx.db.query(`INSERT INTO schema_migrations (version, name) VALUES (14, 'rendering')`);
    expect((await call(ctx, null, 'GET', '/readyz')).status).toBe(200);
  });

  it('serves the OpenAPI document with every run route and schemas, and the docs page', async () => {
    const doc = (await call(ctx, null, 'GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/api/v1/runs', '/api/v1/runs/{id}', '/api/v1/runs/{id}/complete', '/api/v1/runs/{id}/steps', '/api/v1/runs/recent', '/api/v1/api-keys', '/api/v1/prices']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const create = doc.paths['/api/v1/runs'].post;
    expect(create.requestBody.content['application/json'].schema.properties).toHaveProperty('external_id');
    const docs = await ctx.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });
});

describe('configuration', () => {
  it('has defaults', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({ port: 3001, host: '127.0.0.1', databaseUrl: null, logLevel: 'info', stallTimeoutMs: 300_000 });
    expect(config.dataDir).toMatch(/runlog-data$/);
  });

  it('prefers flags over the environment', () => {
    expect(loadConfig({ port: '4000' }, { PORT: '5000' }).port).toBe(4000);
    expect(loadConfig({}, { PORT: '5000', DATABASE_URL: 'postgres://x@y/z' })).toMatchObject({ port: 5000, databaseUrl: 'postgres://x@y/z' });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ RUNLOG_INIT_API_KEY: 'short' }, 'RUNLOG_INIT_API_KEY'],
    [{ RUNLOG_STALL_TIMEOUT_MS: '10' }, 'RUNLOG_STALL_TIMEOUT_MS'],
    [{ RUNLOG_DATABASE_SCHEMA: 'Bad-Name' }, 'RUNLOG_DATABASE_SCHEMA'],
  ])('refuses %o naming %s', (env, name) => {
    expect(() => loadConfig({}, env)).toThrow(ConfigError);
    expect(() => loadConfig({}, env)).toThrow(new RegExp(`^${name}:`));
  });
});

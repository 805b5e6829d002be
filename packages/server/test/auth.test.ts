import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';

describe.each(BACKENDS)('API keys and scopes on %s', (backend) => {
  const ctx = useApp(backend);

  it('answers 401 without a key, with a malformed header and with an unknown key', async () => {
    const t = await createTenant(ctx);
    await call(ctx, t.keys.both, 'POST', '/runs', { id: 'x' });
    for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer' }, { authorization: 'Bearer rlk_not-a-real-key-at-all' }]) {
      const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/runs/x', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'unauthorized' });
    }
  });

  it('answers 403 naming the scope when the key lacks it; admin implies the others', async () => {
    const t = await createTenant(ctx);
    const denied = await call(ctx, t.keys.read, 'POST', '/runs', { id: 'r' });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: 'forbidden', details: { required_scope: 'ingest' } });
    expect((await call(ctx, t.keys.ingest, 'POST', '/runs', { id: 'r' })).status).toBe(201);
    expect((await call(ctx, t.keys.ingest, 'GET', '/runs/r')).status).toBe(403);
    expect((await call(ctx, t.keys.read, 'GET', '/runs/r')).status).toBe(200);
    expect((await call(ctx, t.keys.admin, 'GET', '/runs/r')).status).toBe(200);
    expect((await call(ctx, t.keys.both, 'GET', '/api-keys')).status).toBe(403);
  });

  it('creates a key whose secret is shown once and stores only a hash; a revoked key stops working', async () => {
    const t = await createTenant(ctx);
    const created = await call(ctx, t.keys.admin, 'POST', '/api-keys', { name: 'ci', scopes: ['read'] });
    expect(created.status).toBe(201);
    const { key, api_key } = created.body;
    expect(key).toMatch(/^rlk_/);
    expect(api_key).toMatchObject({ name: 'ci', scopes: ['read'], revoked_at: null, prefix: key.slice(0, 12) });

    const { rows } = await ctx.db.query<Record<string, unknown>>(`SELECT * FROM api_keys WHERE id = $1`, [api_key.id]);
    expect(JSON.stringify(rows[0])).not.toContain(key);

    const listed = await call(ctx, t.keys.admin, 'GET', '/api-keys');
    expect(listed.body.api_keys.map((k: { id: string }) => k.id)).toContain(api_key.id);
    expect(listed.text).not.toContain(key);

    expect((await call(ctx, key, 'GET', '/runs')).status).toBe(200);
    const revoked = await call(ctx, t.keys.admin, 'DELETE', `/api-keys/${api_key.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expect((await call(ctx, key, 'GET', '/runs')).status).toBe(401);
  });

  it('keeps keys to their tenant: another tenant cannot list or revoke them', async () => {
    const a = await createTenant(ctx);
    const b = await createTenant(ctx);
    const created = await call(ctx, a.keys.admin, 'POST', '/api-keys', { name: 'a-key', scopes: ['ingest'] });
    expect((await call(ctx, b.keys.admin, 'DELETE', `/api-keys/${created.body.api_key.id}`)).status).toBe(404);
    const listed = await call(ctx, b.keys.admin, 'GET', '/api-keys');
    expect(listed.body.api_keys.map((k: { id: string }) => k.id)).not.toContain(created.body.api_key.id);
    expect((await call(ctx, created.body.key, 'POST', '/runs', {})).status).toBe(201);
  });

  it('makes RUNLOG_INIT_API_KEY an admin key even when tenants already exist, once', async () => {
    await createTenant(ctx);
    const secret = `rlk_headless_${Date.now()}_0123456789`;
    expect(await ctx.services.auth.bootstrap(secret)).toBeNull();
    expect(await ctx.services.auth.bootstrap(secret)).toBeNull();
    expect((await call(ctx, secret, 'GET', '/api-keys')).status).toBe(200);
    const { rows } = await ctx.db.query<{ n: number }>(`SELECT count(*) AS n FROM api_keys WHERE prefix = $1`, [secret.slice(0, 12)]);
    expect(rows[0]!.n).toBe(1);
  });

  it('refuses bad key requests with a 400 naming the field', async () => {
    const t = await createTenant(ctx);
    const bad = await call(ctx, t.keys.admin, 'POST', '/api-keys', { name: 'x', scopes: ['write'] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('scopes');
    expect((await call(ctx, t.keys.admin, 'DELETE', '/api-keys/not-a-uuid')).status).toBe(400);
  });
});

describe.each(BACKENDS)('tenant isolation on %s', (backend) => {
  const ctx = useApp(backend);

  it("answers 404 for another tenant's run id on every run route", async () => {
    const owner = await createTenant(ctx);
    const other = await createTenant(ctx);
    await call(ctx, owner.keys.both, 'POST', '/runs', { id: 'secret-run', status: 'running' });
    await call(ctx, owner.keys.both, 'POST', '/runs/secret-run/steps', { steps: [{ step_index: 0 }] });

    const routes: Array<['GET' | 'POST', string, unknown?]> = [
      ['GET', '/runs/secret-run'],
      ['GET', '/runs/secret-run/steps'],
      ['POST', '/runs/secret-run/start'],
      ['POST', '/runs/secret-run/heartbeat'],
      ['POST', '/runs/secret-run/complete', {}],
      ['POST', '/runs/secret-run/fail', { error: 'x' }],
      ['POST', '/runs/secret-run/cancel', {}],
      ['POST', '/runs/secret-run/steps', { steps: [{ step_index: 1 }] }],
    ];
    for (const [method, url, body] of routes) {
      const res = await call(ctx, other.keys.both, method, url, body);
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(res.body.error).toBe('not_found');
    }
    const list = await call(ctx, other.keys.both, 'GET', '/runs');
    expect(list.body.runs).toEqual([]);
    const recent = await call(ctx, other.keys.both, 'GET', '/runs/recent');
    expect(recent.body.runs).toEqual([]);

    // The other tenant may use the same client id for its own run; both stay separate.
    expect((await call(ctx, other.keys.both, 'POST', '/runs', { id: 'secret-run' })).status).toBe(201);
    const mine = await call(ctx, owner.keys.both, 'GET', '/runs/secret-run');
    expect(mine.body.status).toBe('running');
    const steps = await call(ctx, owner.keys.both, 'GET', '/runs/secret-run/steps');
    expect(steps.body.steps).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import type { Role } from '../src/domain/auth/auth.types.ts';
import { BACKENDS, call, createTenant, type TestContext } from './helpers.ts';
import { LiveClient, useLiveApp } from './realtime-helpers.ts';

async function signIn(ctx: TestContext, tenantId: string, role: Role) {
  const email = `${role}-${Math.random().toString(36).slice(2)}@example.com`;
  await ctx.services.sessions.createUser({ tenantId, email, role, password: 'correct horse battery' });
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'correct horse battery' } });
  expect(res.statusCode).toBe(200);
  const setCookie = String(res.headers['set-cookie']);
  return { email, setCookie, cookie: setCookie.split(';')[0]!, body: res.json() };
}

function asUser(ctx: TestContext, cookie: string, method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) {
  return ctx.app.inject({ method, url: `/api/v1${url}`, headers: { cookie, ...headers }, ...(body === undefined ? {} : { payload: body as object }) });
}

describe.each(BACKENDS)('dashboard sessions on %s', (backend) => {
  const ctx = useLiveApp(backend);

  it('signs in with email and password into an httpOnly, SameSite session cookie', async () => {
    const t = await createTenant(ctx);
    const { setCookie, body } = await signIn(ctx, t.tenantId, 'viewer');
    expect(setCookie).toMatch(/^runlog_session=rls_[\w-]+;/);
    for (const attribute of ['Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=604800']) expect(setCookie.split('; ')).toContain(attribute);
    expect(body).toMatchObject({ tenant_id: t.tenantId, user: { role: 'viewer' } });
    expect(JSON.stringify(body)).not.toContain('password');

    const wrong = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'nobody@example.com', password: 'x' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const missing = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'a@b.c' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toContain('password');
  });

  it('applies role scopes: viewers read, members write, admins administer; logout ends the session', async () => {
    const t = await createTenant(ctx);
    const viewer = await signIn(ctx, t.tenantId, 'viewer');
    const member = await signIn(ctx, t.tenantId, 'member');
    const admin = await signIn(ctx, t.tenantId, 'admin');
    expect((await asUser(ctx, viewer.cookie, 'GET', '/runs')).statusCode).toBe(200);
    expect((await asUser(ctx, viewer.cookie, 'POST', '/runs', { id: 'v' })).statusCode).toBe(403);
    expect((await asUser(ctx, member.cookie, 'POST', '/runs', { id: 'm' })).statusCode).toBe(201);
    expect((await asUser(ctx, member.cookie, 'GET', '/api-keys')).statusCode).toBe(403);
    expect((await asUser(ctx, admin.cookie, 'GET', '/api-keys')).statusCode).toBe(200);
    expect((await asUser(ctx, viewer.cookie, 'GET', '/auth/me')).json()).toMatchObject({ tenant_id: t.tenantId, scopes: ['read'] });

    const out = await asUser(ctx, member.cookie, 'POST', '/auth/logout');
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await asUser(ctx, member.cookie, 'GET', '/runs')).statusCode).toBe(401);
  });

  it('refuses a cookie-authenticated write from another origin, and keeps tenants apart', async () => {
    const t = await createTenant(ctx);
    const other = await createTenant(ctx);
    await call(ctx, other.keys.both, 'POST', '/runs', { id: 'theirs' });
    const member = await signIn(ctx, t.tenantId, 'member');
    const foreign = await asUser(ctx, member.cookie, 'POST', '/runs', { id: 'csrf' }, { origin: 'https://evil.example' });
    expect(foreign.statusCode).toBe(403);
    expect((await asUser(ctx, member.cookie, 'GET', '/runs/csrf')).statusCode).toBe(404);
    expect((await asUser(ctx, member.cookie, 'GET', '/runs/theirs')).statusCode).toBe(404);
  });

  it('opens the live feed with the session cookie from the same origin only', async () => {
    const t = await createTenant(ctx);
    const viewer = await signIn(ctx, t.tenantId, 'viewer');
    const host = new URL(ctx.wsUrl.replace(/^ws/, 'http')).host;
    const client = await LiveClient.open(ctx, {}, { headers: { cookie: viewer.cookie, origin: `http://${host}` } });
    await client.subscribe(['activity']);
    await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'Seen live' });
    const event = await client.waitFor((items) => items.find((i) => i.type === 'activity_created'));
    expect(event.data.action_name).toBe('Seen live');
    client.ws.close();

    await expect(LiveClient.open(ctx, {}, { headers: { cookie: viewer.cookie, origin: 'https://evil.example' } })).rejects.toMatchObject({ status: 403 });
    await expect(LiveClient.open(ctx, {}, { headers: { cookie: 'runlog_session=rls_forged' } })).rejects.toMatchObject({ status: 401 });
  });
});

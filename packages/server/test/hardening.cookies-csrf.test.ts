import { describe, expect, it } from 'vitest';
import { BACKENDS, createTenant, type TestContext } from './helpers.ts';
import { useAppWith } from './hardening-helpers.ts';
import { signIn } from './workspaces-helpers.ts';

function post(ctx: TestContext, url: string, headers: Record<string, string>, payload?: object) {
  return ctx.app.inject({ method: 'POST', url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
}

describe.each(BACKENDS)('session cookies and CSRF on %s', (backend) => {
  const ctx = useAppWith(backend, { trustProxy: '127.0.0.1' });

  it('a malformed session cookie is a 401 (not a 500), and signing out with one still answers 204', async () => {
    const bad = 'runlog_session=%E0%A4%A';
    const runs = await ctx.app.inject({ method: 'GET', url: '/api/v1/runs', headers: { cookie: bad } });
    expect(runs.statusCode).toBe(401);
    expect(runs.json()).toMatchObject({ error: 'unauthorized', details: {} });
    expect((await post(ctx, '/auth/logout', { cookie: bad })).statusCode).toBe(204);
    expect((await post(ctx, '/auth/logout', { cookie: 'runlog_session=rls_%ZZ; other=%' })).statusCode).toBe(204);
  });

  it('the session cookie is Secure when the request came over TLS through a trusted proxy, and only then', async () => {
    const t = await createTenant(ctx);
    await ctx.services.sessions.createUser({ tenantId: t.tenantId, email: 'tls@example.com', role: 'viewer', password: 'correct horse battery' });
    const login = (headers: Record<string, string>, remoteAddress = '127.0.0.1') => ctx.app.inject({
      method: 'POST', url: '/api/v1/auth/login', remoteAddress, headers, payload: { email: 'tls@example.com', password: 'correct horse battery' },
    });
    const viaProxy = await login({ 'x-forwarded-proto': 'https' });
    expect(viaProxy.statusCode).toBe(200);
    const cookie = String(viaProxy.headers['set-cookie']);
    expect(cookie).toMatch(/^runlog_session=rls_[\w-]+;/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(String((await login({})).headers['set-cookie'])).not.toMatch(/Secure/);
    // A client that is not the trusted proxy cannot claim TLS.
    expect(String((await login({ 'x-forwarded-proto': 'https' }, '10.9.8.7')).headers['set-cookie'])).not.toMatch(/Secure/);
    const out = await post(ctx, '/auth/logout', { 'x-forwarded-proto': 'https', cookie: cookie.split(';')[0]! });
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0.*Secure|Secure.*Max-Age=0/);
  });

  it('refuses a cookie write that the browser marks cross-site, or whose Referer is foreign when Origin is absent', async () => {
    const t = await createTenant(ctx);
    const member = await signIn(ctx, t.tenantId, 'member');
    const host = 'runlog.example';
    const write = (id: string, headers: Record<string, string>) => post(ctx, '/runs', { cookie: member.cookie, host, ...headers }, { id });

    for (const [what, headers] of [
      ['foreign Referer, no Origin', { referer: 'http://evil.example/page' }],
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site: same-site (a sibling site)', { 'sec-fetch-site': 'same-site' }],
      ['cross-site even with a same-host Referer', { 'sec-fetch-site': 'cross-site', referer: `http://${host}/runs` }],
      ['a referer that is not a URL', { referer: 'not a url' }],
    ] as const) {
      const res = await write(`csrf-${what.length}`, headers);
      expect(res.statusCode, what).toBe(403);
      expect(res.json(), what).toMatchObject({ error: 'forbidden', details: {} });
    }
    expect((await write('own-referer', { referer: `https://${host}/runs/x` })).statusCode).toBe(201);
    expect((await write('same-origin', { 'sec-fetch-site': 'same-origin', origin: `https://${host}` })).statusCode).toBe(201);
    // A client that says nothing about where it comes from is not a browser page: accepted as before.
    expect((await write('no-headers', {})).statusCode).toBe(201);
    // Reads are not guarded, and API keys never are.
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/runs', headers: { cookie: member.cookie, 'sec-fetch-site': 'cross-site' } })).statusCode).toBe(200);
    expect((await post(ctx, '/runs', { authorization: `Bearer ${t.keys.both}`, 'sec-fetch-site': 'cross-site' }, { id: 'by-key' })).statusCode).toBe(201);
  });
});

import { randomBytes, scryptSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setPasswordCost } from '../src/domain/auth/secrets.ts';
import { BACKENDS, createTenant, type TestContext } from './helpers.ts';
import { useAppWith } from './hardening-helpers.ts';

const PASSWORD = 'correct horse battery';

function login(ctx: TestContext, email: string, password: string, remoteAddress: string) {
  return ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email, password } });
}

async function user(ctx: TestContext, email: string) {
  const t = await createTenant(ctx);
  await ctx.services.sessions.createUser({ tenantId: t.tenantId, email, role: 'viewer', password: PASSWORD });
  return t;
}

describe.each(BACKENDS)('sign-in brakes on %s', (backend) => {
  const WINDOW_MS = 10 * 60_000;
  const ctx = useAppWith(backend, { rateLimits: { loginPerAccount: 2, loginPerAddress: 4, loginWindowMs: WINDOW_MS, anonymousPerMinute: 40 } });

  it('after repeated failures an account answers 429 with Retry-After, even to the right password, until the window ends', async () => {
    const email = `limited-${randomBytes(4).toString('hex')}@example.com`;
    await user(ctx, email);
    expect((await login(ctx, email, 'wrong-1', '10.0.0.1')).statusCode).toBe(401);
    expect((await login(ctx, email, 'wrong-2', '10.0.0.2')).statusCode).toBe(401);
    // A third attempt, from yet another address and with the right password: the account is braked.
    const braked = await login(ctx, email, PASSWORD, '10.0.0.3');
    expect(braked.statusCode).toBe(429);
    expect(Number(braked.headers['retry-after'])).toBeGreaterThan(0);
    expect(braked.json()).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('account'), details: { retry_after_seconds: Number(braked.headers['retry-after']) } });
    expect(braked.headers['set-cookie']).toBeUndefined();
    // The email is the account whatever its case.
    expect((await login(ctx, email.toUpperCase(), PASSWORD, '10.0.0.4')).statusCode).toBe(429);

    // The window ends (the clock moved past it, rather than the test waiting ten minutes).
    const realNow = Date.now.bind(Date);
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + WINDOW_MS + 1_000);
    try {
      const after = await login(ctx, email, PASSWORD, '10.0.0.5');
      expect(after.statusCode).toBe(200);
      expect(String(after.headers['set-cookie'])).toMatch(/^runlog_session=rls_/);
    } finally {
      clock.mockRestore();
    }
  }, 180_000);

  it('an address trying many accounts is braked too, and another address is not', async () => {
    const emails = Array.from({ length: 5 }, (_, i) => `spray-${i}-${randomBytes(4).toString('hex')}@example.com`);
    await user(ctx, emails[4]!);
    for (const email of emails.slice(0, 4)) expect((await login(ctx, email, 'guess', '10.1.0.1')).statusCode).toBe(401);
    const braked = await login(ctx, emails[4]!, PASSWORD, '10.1.0.1');
    expect(braked.statusCode).toBe(429);
    expect(braked.json()).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('address') });
    expect(braked.headers['retry-after']).toBeDefined();
    expect((await login(ctx, emails[4]!, PASSWORD, '10.1.0.2')).statusCode).toBe(200);
  }, 120_000);

  it('requests without credentials are limited per address; requests with a key and health probes are not', async () => {
    const t = await createTenant(ctx);
    const anonymous = (url: string, remoteAddress = '10.2.0.1') => ctx.app.inject({ method: 'GET', url, remoteAddress });
    const answers = [];
    for (let i = 0; i < 41; i++) answers.push((await anonymous('/api/v1/runs')).statusCode);
    expect(answers.slice(0, 40).every((s) => s === 401)).toBe(true);
    const last = await anonymous('/api/v1/runs');
    expect(last.statusCode).toBe(429);
    expect(last.headers['retry-after']).toBeDefined();
    expect(last.json()).toMatchObject({ error: 'rate_limited', details: { limit: 'address' } });
    expect((await anonymous('/healthz')).statusCode).toBe(200);
    expect((await anonymous('/api/v1/runs', '10.2.0.2')).statusCode).toBe(401);
    const withKey = await ctx.app.inject({ method: 'GET', url: '/api/v1/runs', remoteAddress: '10.2.0.1', headers: { authorization: `Bearer ${t.keys.read}` } });
    expect(withKey.statusCode).toBe(200);
  });
});

describe.each(BACKENDS)('password hashes on %s', (backend) => {
  const ctx = useAppWith(backend);
  // The shipped cost (helpers.ts lowers it for the other tests).
  beforeAll(() => setPasswordCost(17));
  afterAll(() => setPasswordCost(14));

  it('stores the algorithm and parameters with each hash, at current cost', async () => {
    const email = `new-${randomBytes(4).toString('hex')}@example.com`;
    const t = await user(ctx, email);
    const { rows } = await ctx.db.query<{ password_hash: string }>(`SELECT password_hash FROM users WHERE tenant_id = $1`, [t.tenantId]);
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect((await login(ctx, email, PASSWORD, '10.3.0.1')).statusCode).toBe(200);
  });

  it('an old-format hash still verifies, and is rehashed at current cost on the next successful sign-in', async () => {
    const email = `old-${randomBytes(4).toString('hex')}@example.com`;
    const t = await user(ctx, email);
    // What earlier versions stored: scrypt at Node's defaults (N=16384), parameters not written down.
    const salt = randomBytes(16);
    const legacy = `scrypt$${salt.toString('base64url')}$${scryptSync(PASSWORD, salt, 32).toString('base64url')}`;
    await ctx.db.query(`UPDATE users SET password_hash = $2 WHERE tenant_id = $1`, [t.tenantId, legacy]);
    const stored = async () => (await ctx.db.query<{ password_hash: string }>(`SELECT password_hash FROM users WHERE tenant_id = $1`, [t.tenantId])).rows[0]!.password_hash;

    expect((await login(ctx, email, 'not it', '10.4.0.1')).statusCode).toBe(401);
    expect(await stored()).toBe(legacy);
    expect((await login(ctx, email, PASSWORD, '10.4.0.1')).statusCode).toBe(200);
    const upgraded = await stored();
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await login(ctx, email, PASSWORD, '10.4.0.2')).statusCode).toBe(200);
    expect(await stored()).toBe(upgraded);
  }, 120_000);
});

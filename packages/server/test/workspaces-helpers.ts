import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { AuthContext, Role } from '../src/domain/auth/auth.types.ts';
import { SESSION_COOKIE } from '../src/domain/auth/sessions.service.ts';
import type { TestContext } from './helpers.ts';

export interface TestUser {
  id: string;
  email: string;
  cookie: string;
  /** The caller the server sees behind the cookie. */
  auth: AuthContext;
}

/** A user of the tenant with this tenant role, signed in with a session cookie. */
export async function signIn(ctx: TestContext, tenantId: string, role: Role): Promise<TestUser> {
  const email = `${role}-${randomUUID()}@example.com`;
  await ctx.services.sessions.createUser({ tenantId, email, role, password: 'correct horse battery' });
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'correct horse battery' } });
  expect(res.statusCode).toBe(200);
  const cookie = String(res.headers['set-cookie']).split(';')[0]!;
  const auth = await ctx.services.sessions.authenticate(decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1)));
  return { id: res.json().user.id, email, cookie, auth: auth! };
}

/** A request signed in as the user (same origin: no Origin header). */
export async function asUser(ctx: TestContext, user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  const res = await ctx.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { cookie: user.cookie },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: res.statusCode, body: res.body ? res.json() : undefined };
}

/** A registry entry, written directly: the registry's own routes are not what these tests are about. */
export async function insertWorkUnit(ctx: TestContext, tenantId: string, id: string, type: 'atomic' | 'composite' = 'atomic') {
  await ctx.db.query(`INSERT INTO work_units (tenant_id, id, name, type) VALUES ($1, $2, $3, $4)`, [tenantId, id, `Unit ${id}`, type]);
}

import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp, type TestContext } from './helpers.ts';

async function login(ctx: TestContext, email: string, password: string) {
  return ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
}

const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}@example.com`;

describe.each(BACKENDS)('the users route on %s', (backend) => {
  const ctx = useApp(backend);

  it('creates, lists and changes people; a generated password is shown once; never a hash', async () => {
    const t = await createTenant(ctx);
    const ann = unique('ann');
    const generated = await call(ctx, t.keys.admin, 'POST', '/users', { email: ann, name: 'Ann', role: 'admin' });
    expect(generated.status).toBe(201);
    expect(generated.body).toMatchObject({ email: ann, name: 'Ann', role: 'admin', active: true, department: null });
    expect(generated.body.password).toMatch(/^.{12,}$/);
    expect((await login(ctx, ann, generated.body.password)).statusCode).toBe(200);

    const bob = unique('bob');
    const chosen = await call(ctx, t.keys.admin, 'POST', '/users', { email: bob, role: 'viewer', password: 'bob-password-1' });
    expect(chosen.status).toBe(201);
    expect(chosen.body.password).toBeUndefined();
    expect((await call(ctx, t.keys.admin, 'POST', '/users', { email: bob, role: 'member' })).status).toBe(409);
    const bad = await call(ctx, t.keys.admin, 'POST', '/users', { email: 'not-an-email', role: 'boss' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/email|role/);

    const list = await call(ctx, t.keys.admin, 'GET', '/users');
    expect(list.status).toBe(200);
    expect(list.body.users.map((u: { email: string }) => u.email)).toEqual([ann, bob]);
    expect(Object.keys(list.body.users[0]).sort()).toEqual(['active', 'created_at', 'department', 'email', 'id', 'name', 'role']);
    expect(list.text).not.toMatch(/scrypt|password/);

    const promoted = await call(ctx, t.keys.admin, 'PATCH', `/users/${chosen.body.id}`, { role: 'member', name: 'Bob' });
    expect(promoted.body).toMatchObject({ id: chosen.body.id, role: 'member', name: 'Bob', active: true });
    expect((await call(ctx, t.keys.admin, 'PATCH', `/users/${chosen.body.id}`, {})).status).toBe(400);
  });

  it('needs the admin scope, and another tenant\'s user is not found', async () => {
    const t = await createTenant(ctx);
    const other = await createTenant(ctx);
    const theirs = await call(ctx, other.keys.admin, 'POST', '/users', { email: unique('x'), role: 'member' });
    expect((await call(ctx, t.keys.read, 'GET', '/users')).status).toBe(403);
    expect((await call(ctx, t.keys.both, 'POST', '/users', { email: unique('y'), role: 'member' })).status).toBe(403);
    const patch = await call(ctx, t.keys.admin, 'PATCH', `/users/${theirs.body.id}`, { role: 'viewer' });
    expect(patch.status).toBe(404);
    expect((await call(ctx, t.keys.admin, 'GET', '/users')).body.users).toEqual([]);
    expect((await call(ctx, other.keys.admin, 'GET', '/users')).body.users[0].role).toBe('member');
  });

  it('keeps an active owner: the last one can be neither demoted nor deactivated (409)', async () => {
    const t = await createTenant(ctx);
    const first = await call(ctx, t.keys.admin, 'POST', '/users', { email: unique('owner'), role: 'owner' });
    const demote = await call(ctx, t.keys.admin, 'PATCH', `/users/${first.body.id}`, { role: 'admin' });
    expect([demote.status, demote.body.error]).toEqual([409, 'last_owner']);
    expect((await call(ctx, t.keys.admin, 'PATCH', `/users/${first.body.id}`, { active: false })).status).toBe(409);

    const second = await call(ctx, t.keys.admin, 'POST', '/users', { email: unique('owner2'), role: 'owner' });
    expect((await call(ctx, t.keys.admin, 'PATCH', `/users/${first.body.id}`, { role: 'admin' })).body.role).toBe('admin');
    const last = await call(ctx, t.keys.admin, 'PATCH', `/users/${second.body.id}`, { active: false });
    expect(last.status).toBe(409);
    const owners = (await call(ctx, t.keys.admin, 'GET', '/users')).body.users.filter((u: { role: string; active: boolean }) => u.role === 'owner' && u.active);
    expect(owners.map((u: { id: string }) => u.id)).toEqual([second.body.id]);
  });

  it('a deactivated user cannot sign in and their sessions stop working; reactivation lets them sign in again', async () => {
    const t = await createTenant(ctx);
    const email = unique('dan');
    const dan = await call(ctx, t.keys.admin, 'POST', '/users', { email, role: 'member', password: 'dan-password-1' });
    const session = await login(ctx, email, 'dan-password-1');
    const cookie = String(session.headers['set-cookie']).split(';')[0]!;
    const me = () => ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    expect((await me()).statusCode).toBe(200);

    const off = await call(ctx, t.keys.admin, 'PATCH', `/users/${dan.body.id}`, { active: false });
    expect(off.body).toMatchObject({ id: dan.body.id, active: false });
    expect((await me()).statusCode).toBe(401);
    expect((await login(ctx, email, 'dan-password-1')).statusCode).toBe(401);

    await call(ctx, t.keys.admin, 'PATCH', `/users/${dan.body.id}`, { active: true });
    expect((await me()).statusCode).toBe(401); // the old session was ended, not suspended
    expect((await login(ctx, email, 'dan-password-1')).statusCode).toBe(200);
  });
});

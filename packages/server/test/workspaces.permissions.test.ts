import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp, type TestContext, type TestTenant } from './helpers.ts';
import { asUser, insertWorkUnit, signIn, type TestUser } from './workspaces-helpers.ts';

/**
 * The permission matrix: each caller below × each workspace action. All callers except the
 * tenant admin are tenant members (their credential may write); only their workspace role
 * differs. Non-members get 404 for everything, so a workspace's existence is not leaked.
 */
type Actor = 'owner' | 'admin' | 'member' | 'viewer' | 'non_member' | 'tenant_admin';
type Outcome = 'ok' | 'needs_admin' | 'needs_owner' | 'hidden';
const ACTORS: Actor[] = ['owner', 'admin', 'member', 'viewer', 'non_member', 'tenant_admin'];

const READ: Outcome[] = ['ok', 'ok', 'ok', 'ok', 'hidden', 'ok'];
const MANAGE: Outcome[] = ['ok', 'ok', 'needs_admin', 'needs_admin', 'hidden', 'ok'];
const OWN: Outcome[] = ['ok', 'needs_owner', 'needs_owner', 'needs_owner', 'hidden', 'ok'];

interface Fixture {
  workspaceId: string;
  target: TestUser;
}
type Request = (f: Fixture) => { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; body?: unknown; ok: number };

const ACTIONS: [string, Outcome[], Request][] = [
  ['get workspace', READ, (f) => ({ method: 'GET', url: `/workspaces/${f.workspaceId}`, ok: 200 })],
  ['update workspace', MANAGE, (f) => ({ method: 'PATCH', url: `/workspaces/${f.workspaceId}`, body: { name: 'renamed' }, ok: 200 })],
  ['delete workspace', OWN, (f) => ({ method: 'DELETE', url: `/workspaces/${f.workspaceId}`, ok: 204 })],
  ['list members', READ, (f) => ({ method: 'GET', url: `/workspaces/${f.workspaceId}/members`, ok: 200 })],
  ['get member', READ, (f) => ({ method: 'GET', url: `/workspaces/${f.workspaceId}/members/${f.target.id}`, ok: 200 })],
  ['add member', MANAGE, (f) => ({ method: 'POST', url: `/workspaces/${f.workspaceId}/members`, body: { user_id: '$newcomer', role: 'member' }, ok: 201 })],
  ['add owner', OWN, (f) => ({ method: 'POST', url: `/workspaces/${f.workspaceId}/members`, body: { user_id: '$newcomer', role: 'owner' }, ok: 201 })],
  ['update member', MANAGE, (f) => ({ method: 'PATCH', url: `/workspaces/${f.workspaceId}/members/${f.target.id}`, body: { role: 'viewer' }, ok: 200 })],
  ['remove member', MANAGE, (f) => ({ method: 'DELETE', url: `/workspaces/${f.workspaceId}/members/${f.target.id}`, ok: 204 })],
  ['list work units', READ, (f) => ({ method: 'GET', url: `/workspaces/${f.workspaceId}/work-units`, ok: 200 })],
  ['get work unit', READ, (f) => ({ method: 'GET', url: `/workspaces/${f.workspaceId}/work-units/unit-in`, ok: 200 })],
  ['add work unit', MANAGE, (f) => ({ method: 'POST', url: `/workspaces/${f.workspaceId}/work-units`, body: { work_unit_id: 'unit-out' }, ok: 201 })],
  ['remove work unit', MANAGE, (f) => ({ method: 'DELETE', url: `/workspaces/${f.workspaceId}/work-units/unit-in`, ok: 204 })],
];

/** May run the workspace's work units: members and up. */
const CAN_RUN: Record<Actor, boolean> = { owner: true, admin: true, member: true, viewer: false, non_member: false, tenant_admin: true };

describe.each(BACKENDS)('workspace permissions on %s', (backend) => {
  const ctx = useApp(backend);
  let t: TestTenant;
  let users: Record<Actor | 'target' | 'newcomer', TestUser>;

  beforeAll(async () => {
    t = await createTenant(ctx);
    const [owner, admin, member, viewer, nonMember, target, newcomer] = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7].map(() => signIn(ctx, t.tenantId, 'member')),
    );
    users = { owner: owner!, admin: admin!, member: member!, viewer: viewer!, non_member: nonMember!, target: target!, newcomer: newcomer!, tenant_admin: await signIn(ctx, t.tenantId, 'admin') };
    await insertWorkUnit(ctx, t.tenantId, 'unit-in');
    await insertWorkUnit(ctx, t.tenantId, 'unit-out');
  });

  /** A fresh workspace: created by the owner, with the four roles, a target member and one work unit. */
  async function fixture(c: TestContext): Promise<Fixture> {
    const created = await asUser(c, users.owner, 'POST', '/workspaces', { name: 'matrix' });
    const id = created.body.id as string;
    for (const [user, role] of [[users.admin, 'admin'], [users.member, 'member'], [users.viewer, 'viewer'], [users.target, 'member']] as const) {
      expect((await asUser(c, users.owner, 'POST', `/workspaces/${id}/members`, { user_id: user.id, role })).status).toBe(201);
    }
    expect((await asUser(c, users.owner, 'POST', `/workspaces/${id}/work-units`, { work_unit_id: 'unit-in' })).status).toBe(201);
    return { workspaceId: id, target: users.target };
  }

  function outcomeOf(res: { status: number; body: any }, ok: number): Outcome | string {
    if (res.status === ok) return 'ok';
    if (res.status === 404 && res.body?.error === 'not_found' && res.body.details?.workspace_id) return 'hidden';
    if (res.status === 403 && res.body?.details?.required_role === 'admin') return 'needs_admin';
    if (res.status === 403 && res.body?.details?.required_role === 'owner') return 'needs_owner';
    return `${res.status} ${JSON.stringify(res.body)}`;
  }

  it.each(ACTIONS)('%s', async (_name, expected, request) => {
    const actual: Record<string, Outcome | string> = {};
    for (const actor of ACTORS) {
      const f = await fixture(ctx);
      const r = request(f);
      const body = r.body && JSON.parse(JSON.stringify(r.body).replace('$newcomer', users.newcomer.id));
      const res = await asUser(ctx, users[actor], r.method, r.url, body);
      actual[actor] = outcomeOf(res, r.ok);
      if (res.status === 403) expect(res.body.message).toContain(`"${res.body.details.required_role}" role`);
      if (actual[actor] === 'ok' && r.method !== 'DELETE') expect(res.body).toBeTypeOf('object');
    }
    expect(actual).toEqual(Object.fromEntries(ACTORS.map((a, i) => [a, expected[i]])));
  });

  it('lets members and up run the workspace’s work units, and nobody run a unit outside their workspaces', async () => {
    await fixture(ctx);
    const actual = Object.fromEntries(await Promise.all(ACTORS.map(async (a) => [a, await ctx.services.workspaces.canRunWorkUnit(users[a].auth, 'unit-in')])));
    expect(actual).toEqual(CAN_RUN);
    // unit-solo is only in a workspace of someone else's.
    await insertWorkUnit(ctx, t.tenantId, 'unit-solo');
    const solo = (await asUser(ctx, users.newcomer, 'POST', '/workspaces', { name: 'solo' })).body.id;
    expect((await asUser(ctx, users.newcomer, 'POST', `/workspaces/${solo}/work-units`, { work_unit_id: 'unit-solo' })).status).toBe(201);
    expect(await ctx.services.workspaces.canRunWorkUnit(users.newcomer.auth, 'unit-solo')).toBe(true);
    const outside = await Promise.all(ACTORS.map((a) => ctx.services.workspaces.canRunWorkUnit(users[a].auth, 'unit-solo')));
    expect(outside).toEqual(ACTORS.map((a) => a === 'tenant_admin'));
    await expect(ctx.services.workspaces.assertCanRunWorkUnit(users.viewer.auth, 'unit-in')).rejects.toMatchObject({ statusCode: 403, details: { required_role: 'member' } });
    await expect(ctx.services.workspaces.assertCanRunWorkUnit(users.member.auth, 'unit-in')).resolves.toBeUndefined();
  });

  it('shows each caller only their own workspaces; tenant admins see all', async () => {
    const c2 = await createTenant(ctx);
    const ann = await signIn(ctx, c2.tenantId, 'member');
    const bob = await signIn(ctx, c2.tenantId, 'member');
    const boss = await signIn(ctx, c2.tenantId, 'owner');
    const mine = (await asUser(ctx, ann, 'POST', '/workspaces', { name: 'ann' })).body.id;
    const his = (await asUser(ctx, bob, 'POST', '/workspaces', { name: 'bob' })).body.id;
    const names = async (u: TestUser) => (await asUser(ctx, u, 'GET', '/workspaces')).body.workspaces.map((w: { id: string; my_role: string }) => [w.id, w.my_role]);
    expect(await names(ann)).toEqual([[mine, 'owner']]);
    expect(await names(bob)).toEqual([[his, 'owner']]);
    expect(await names(boss)).toEqual([[his, 'admin'], [mine, 'admin']]);
    expect((await call(ctx, c2.keys.admin, 'GET', '/workspaces')).body.total).toBe(2);
  });

  it('treats a key as the user who created it, and a key without a user as no member', async () => {
    const c2 = await createTenant(ctx);
    const ann = await signIn(ctx, c2.tenantId, 'member');
    const key = async (scopes: ('ingest' | 'read' | 'admin')[], createdBy: string | null) =>
      (await ctx.services.auth.createKey({ tenantId: c2.tenantId, name: 'k', scopes, createdBy })).key;
    const annWrites = await key(['ingest', 'read'], ann.id);
    const created = await call(ctx, annWrites, 'POST', '/workspaces', { name: 'by key' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ created_by: ann.id, my_role: 'owner' });
    const id = created.body.id;
    expect((await asUser(ctx, ann, 'GET', `/workspaces/${id}`)).body.my_role).toBe('owner');

    // A read-only key of the owner reads but never writes.
    const annReads = await key(['read'], ann.id);
    expect((await call(ctx, annReads, 'GET', `/workspaces/${id}`)).status).toBe(200);
    const write = await call(ctx, annReads, 'PATCH', `/workspaces/${id}`, { name: 'x' });
    expect(write.status).toBe(403);
    expect(write.body.details).toMatchObject({ required_scope: 'ingest' });

    // A key with no user is in no workspace: it sees none and may not create one it could not see.
    expect((await call(ctx, c2.keys.both, 'GET', '/workspaces')).body).toMatchObject({ total: 0, workspaces: [] });
    expect((await call(ctx, c2.keys.both, 'GET', `/workspaces/${id}`)).status).toBe(404);
    const orphan = await call(ctx, c2.keys.both, 'POST', '/workspaces', { name: 'nobody' });
    expect(orphan.status).toBe(403);
    expect(orphan.body.message).toContain('needs a user');

    // An admin key creates a workspace without members and manages every workspace.
    const byAdmin = await call(ctx, c2.keys.admin, 'POST', '/workspaces', { name: 'admin-made' });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.my_role).toBe('admin');
    expect((await call(ctx, c2.keys.admin, 'GET', `/workspaces/${byAdmin.body.id}/members`)).body).toMatchObject({ total: 0, members: [] });
    expect((await call(ctx, c2.keys.admin, 'POST', `/workspaces/${byAdmin.body.id}/members`, { user_id: ann.id, role: 'owner' })).status).toBe(201);
    expect((await call(ctx, c2.keys.admin, 'DELETE', `/workspaces/${id}`)).status).toBe(204);
  });

  it('lets any member leave, and keeps a tenant viewer read-only whatever their workspace role', async () => {
    const c2 = await createTenant(ctx);
    const owner = await signIn(ctx, c2.tenantId, 'member');
    const viewer = await signIn(ctx, c2.tenantId, 'member');
    const reader = await signIn(ctx, c2.tenantId, 'viewer');
    const id = (await asUser(ctx, owner, 'POST', '/workspaces', { name: 'w' })).body.id;
    await asUser(ctx, owner, 'POST', `/workspaces/${id}/members`, { user_id: viewer.id, role: 'viewer' });
    await asUser(ctx, owner, 'POST', `/workspaces/${id}/members`, { user_id: reader.id, role: 'admin' });

    expect((await asUser(ctx, viewer, 'DELETE', `/workspaces/${id}/members/${owner.id}`)).body.details.required_role).toBe('admin');
    expect((await asUser(ctx, viewer, 'DELETE', `/workspaces/${id}/members/${viewer.id}`)).status).toBe(204);
    expect((await asUser(ctx, viewer, 'GET', `/workspaces/${id}`)).status).toBe(404);

    expect((await asUser(ctx, reader, 'GET', `/workspaces/${id}`)).body.my_role).toBe('admin');
    const denied = await asUser(ctx, reader, 'PATCH', `/workspaces/${id}`, { name: 'x' });
    expect(denied.status).toBe(403);
    expect(denied.body.details).toMatchObject({ required_scope: 'ingest' });
    expect(await ctx.services.workspaces.canRunWorkUnit(reader.auth, 'anything')).toBe(false);
  });
});

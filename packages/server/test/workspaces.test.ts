import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp, type TestContext } from './helpers.ts';
import { asUser, insertWorkUnit, signIn, type TestUser } from './workspaces-helpers.ts';

async function createWorkspace(ctx: TestContext, owner: TestUser, body: Record<string, unknown> = { name: 'Ops' }) {
  const res = await asUser(ctx, owner, 'POST', '/workspaces', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

describe.each(BACKENDS)('workspaces on %s', (backend) => {
  const ctx = useApp(backend);

  it('creates, reads, lists, updates and deletes a workspace; the creator is its owner', async () => {
    const t = await createTenant(ctx);
    const ann = await signIn(ctx, t.tenantId, 'member');
    const created = await asUser(ctx, ann, 'POST', '/workspaces', { name: 'Support', description: 'Tier 1', department: 'cx' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Support', description: 'Tier 1', department: 'cx', created_by: ann.id, my_role: 'owner' });
    const id = created.body.id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    expect((await asUser(ctx, ann, 'GET', `/workspaces/${id}`)).body).toEqual(created.body);
    const members = (await asUser(ctx, ann, 'GET', `/workspaces/${id}/members`)).body;
    expect(members).toMatchObject({ total: 1, limit: 50, offset: 0, members: [{ user_id: ann.id, email: ann.email, role: 'owner', invited_by: ann.id }] });

    const list = (await asUser(ctx, ann, 'GET', '/workspaces')).body;
    expect(list).toMatchObject({ total: 1, limit: 50, offset: 0, workspaces: [{ id, name: 'Support' }] });
    expect((await asUser(ctx, ann, 'GET', '/workspaces?department=cx')).body.total).toBe(1);
    expect((await asUser(ctx, ann, 'GET', '/workspaces?department=finance')).body).toMatchObject({ total: 0, workspaces: [] });

    const patched = await asUser(ctx, ann, 'PATCH', `/workspaces/${id}`, { name: 'Support EU', description: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name: 'Support EU', description: null, department: 'cx' });
    expect(new Date(patched.body.updated_at).getTime()).toBeGreaterThanOrEqual(new Date(created.body.updated_at).getTime());

    const removed = await asUser(ctx, ann, 'DELETE', `/workspaces/${id}`);
    expect(removed.status).toBe(204);
    const gone = await asUser(ctx, ann, 'GET', `/workspaces/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: 'not_found', message: `workspace ${id} was not found` });
    expect((await asUser(ctx, ann, 'GET', '/workspaces')).body.total).toBe(0);
  });

  it('adds, reads, updates and removes members', async () => {
    const t = await createTenant(ctx);
    const owner = await signIn(ctx, t.tenantId, 'member');
    const bob = await signIn(ctx, t.tenantId, 'member');
    const id = await createWorkspace(ctx, owner);

    const added = await asUser(ctx, owner, 'POST', `/workspaces/${id}/members`, { user_id: bob.id, role: 'viewer', constraints: { max_cost_usd: 5 }, department: 'ops' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ workspace_id: id, user_id: bob.id, email: bob.email, role: 'viewer', constraints: { max_cost_usd: 5 }, department: 'ops', invited_by: owner.id });
    expect((await asUser(ctx, owner, 'GET', `/workspaces/${id}/members/${bob.id}`)).body).toEqual(added.body);

    const again = await asUser(ctx, owner, 'POST', `/workspaces/${id}/members`, { user_id: bob.id, role: 'member' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'member_exists', details: { user_id: bob.id } });
    const stranger = randomUUID();
    const unknown = await asUser(ctx, owner, 'POST', `/workspaces/${id}/members`, { user_id: stranger, role: 'member' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'not_found', message: `user ${stranger} was not found`, details: { user_id: stranger } });

    const patched = await asUser(ctx, owner, 'PATCH', `/workspaces/${id}/members/${bob.id}`, { role: 'member', constraints: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ role: 'member', constraints: null, department: 'ops' });
    // Bob sees the workspace now, as a member.
    expect((await asUser(ctx, bob, 'GET', `/workspaces/${id}`)).body.my_role).toBe('member');

    const list = (await asUser(ctx, bob, 'GET', `/workspaces/${id}/members`)).body;
    expect(list.members.map((m: { user_id: string; role: string }) => [m.user_id, m.role])).toEqual([[owner.id, 'owner'], [bob.id, 'member']]);

    expect((await asUser(ctx, owner, 'DELETE', `/workspaces/${id}/members/${bob.id}`)).status).toBe(204);
    expect((await asUser(ctx, owner, 'GET', `/workspaces/${id}/members/${bob.id}`)).body).toMatchObject({ error: 'not_found', message: `member ${bob.id} was not found` });
    expect((await asUser(ctx, owner, 'DELETE', `/workspaces/${id}/members/${bob.id}`)).status).toBe(404);
    expect((await asUser(ctx, bob, 'GET', `/workspaces/${id}`)).status).toBe(404);
  });

  it('adds work units from the registry, records a delegation activity, and removes them', async () => {
    const t = await createTenant(ctx);
    const owner = await signIn(ctx, t.tenantId, 'member');
    const id = await createWorkspace(ctx, owner, { name: 'Billing' });
    await insertWorkUnit(ctx, t.tenantId, 'triage-1.0.0', 'composite');
    await insertWorkUnit(ctx, t.tenantId, 'summarise-2.0.0');

    const added = await asUser(ctx, owner, 'POST', `/workspaces/${id}/work-units`, { work_unit_id: 'triage-1.0.0', delegation_id: 'dlg-7', constraints: { max_runs: 3 } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      workspace_id: id, work_unit_id: 'triage-1.0.0', work_unit_name: 'Unit triage-1.0.0', work_unit_type: 'composite',
      delegation_id: 'dlg-7', constraints: { max_runs: 3 }, added_by: owner.id, department: null,
    });
    const second = await asUser(ctx, owner, 'POST', `/workspaces/${id}/work-units`, { work_unit_id: 'summarise-2.0.0', work_unit_type: 'composite' });
    expect(second.body.work_unit_type).toBe('composite');

    const activities = (await call(ctx, t.keys.read, 'GET', '/activities?type=delegation')).body.activities;
    expect(activities).toHaveLength(2);
    expect(activities[1]).toMatchObject({
      type: 'delegation', workspace_id: id, work_unit_id: 'triage-1.0.0', user_id: owner.id, target_name: 'Unit triage-1.0.0',
      data: { workspace_name: 'Billing', delegation_id: 'dlg-7', added_by: owner.id },
    });
    const team = (await call(ctx, t.keys.read, 'GET', '/activity/team')).body;
    expect(team.map((e: { type: string; work_unit_id: string }) => [e.type, e.work_unit_id])).toEqual([['delegation', 'summarise-2.0.0'], ['delegation', 'triage-1.0.0']]);

    expect((await asUser(ctx, owner, 'GET', `/workspaces/${id}/work-units/triage-1.0.0`)).body).toEqual(added.body);
    const page = (await asUser(ctx, owner, 'GET', `/workspaces/${id}/work-units`)).body;
    expect(page).toMatchObject({ total: 2, work_units: [{ work_unit_id: 'triage-1.0.0' }, { work_unit_id: 'summarise-2.0.0' }] });
    expect((await asUser(ctx, owner, 'GET', `/workspaces/${id}/work-units?work_unit_type=atomic`)).body).toMatchObject({ total: 0, work_units: [] });

    const dup = await asUser(ctx, owner, 'POST', `/workspaces/${id}/work-units`, { work_unit_id: 'triage-1.0.0' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toBe('work_unit_exists');
    const missing = await asUser(ctx, owner, 'POST', `/workspaces/${id}/work-units`, { work_unit_id: 'nope' });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'not_found', message: 'work_unit nope was not found' });
    // Refused adds wrote no activity.
    expect((await call(ctx, t.keys.read, 'GET', '/activities?type=delegation')).body.activities).toHaveLength(2);

    expect((await asUser(ctx, owner, 'DELETE', `/workspaces/${id}/work-units/triage-1.0.0`)).status).toBe(204);
    expect((await asUser(ctx, owner, 'DELETE', `/workspaces/${id}/work-units/triage-1.0.0`)).status).toBe(404);
    expect((await asUser(ctx, owner, 'GET', `/workspaces/${id}/work-units/triage-1.0.0`)).status).toBe(404);
  });

  it('pages with limit/offset: empty past the end with the total, limit above 100 is a 400', async () => {
    const t = await createTenant(ctx);
    const owner = await signIn(ctx, t.tenantId, 'member');
    const id = await createWorkspace(ctx, owner);
    const others = await Promise.all([1, 2, 3, 4].map(() => signIn(ctx, t.tenantId, 'member')));
    for (const u of others) expect((await asUser(ctx, owner, 'POST', `/workspaces/${id}/members`, { user_id: u.id, role: 'viewer' })).status).toBe(201);
    for (const wu of ['a', 'b', 'c']) {
      await insertWorkUnit(ctx, t.tenantId, wu);
      expect((await asUser(ctx, owner, 'POST', `/workspaces/${id}/work-units`, { work_unit_id: wu })).status).toBe(201);
    }

    const ids = async (q: string) => {
      const body = (await asUser(ctx, owner, 'GET', `/workspaces/${id}/members?${q}`)).body;
      return { total: body.total, limit: body.limit, offset: body.offset, users: body.members.map((m: { user_id: string }) => m.user_id) };
    };
    const all = await ids('');
    expect(all.users).toHaveLength(5);
    expect(await ids('limit=2')).toEqual({ total: 5, limit: 2, offset: 0, users: all.users.slice(0, 2) });
    expect(await ids('limit=2&offset=2')).toEqual({ total: 5, limit: 2, offset: 2, users: all.users.slice(2, 4) });
    expect(await ids('limit=2&offset=4')).toEqual({ total: 5, limit: 2, offset: 4, users: all.users.slice(4) });
    expect(await ids('offset=5')).toEqual({ total: 5, limit: 50, offset: 5, users: [] });
    expect(await ids('limit=100&offset=1000')).toEqual({ total: 5, limit: 100, offset: 1000, users: [] });

    const units = (await asUser(ctx, owner, 'GET', `/workspaces/${id}/work-units?limit=1&offset=2`)).body;
    expect(units).toMatchObject({ total: 3, limit: 1, offset: 2, work_units: [{ work_unit_id: 'c' }] });
    expect((await asUser(ctx, owner, 'GET', `/workspaces/${id}/work-units?offset=3`)).body).toMatchObject({ total: 3, work_units: [] });
    expect((await asUser(ctx, owner, 'GET', '/workspaces?offset=1')).body).toMatchObject({ total: 1, offset: 1, workspaces: [] });

    for (const path of ['/workspaces', `/workspaces/${id}/members`, `/workspaces/${id}/work-units`]) {
      for (const [q, field] of [['limit=101', 'limit'], ['limit=0', 'limit'], ['limit=x', 'limit'], ['offset=-1', 'offset'], ['offset=1.5', 'offset']]) {
        const bad = await asUser(ctx, owner, 'GET', `${path}?${q}`);
        expect(bad.status, `${path}?${q}`).toBe(400);
        expect(bad.body).toMatchObject({ error: 'validation_error', details: { location: 'querystring', field } });
      }
    }
  });

  it('never removes or demotes the last owner; with two owners one may go', async () => {
    const t = await createTenant(ctx);
    const ann = await signIn(ctx, t.tenantId, 'member');
    const bob = await signIn(ctx, t.tenantId, 'member');
    const id = await createWorkspace(ctx, ann);

    for (const [method, body] of [['DELETE', undefined], ['PATCH', { role: 'admin' }]] as const) {
      const res = await asUser(ctx, ann, method, `/workspaces/${id}/members/${ann.id}`, body);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: 'last_owner', details: { workspace_id: id, user_id: ann.id } });
    }
    // A tenant admin is held to the rule too.
    expect((await call(ctx, t.keys.admin, 'DELETE', `/workspaces/${id}/members/${ann.id}`)).body.error).toBe('last_owner');
    expect((await asUser(ctx, ann, 'GET', `/workspaces/${id}/members/${ann.id}`)).body.role).toBe('owner');

    expect((await asUser(ctx, ann, 'POST', `/workspaces/${id}/members`, { user_id: bob.id, role: 'owner' })).status).toBe(201);
    const demoted = await asUser(ctx, bob, 'PATCH', `/workspaces/${id}/members/${ann.id}`, { role: 'member' });
    expect(demoted.status).toBe(200);
    expect(demoted.body.role).toBe('member');
    expect((await asUser(ctx, bob, 'PATCH', `/workspaces/${id}/members/${bob.id}`, { role: 'viewer' })).body.error).toBe('last_owner');
    expect((await asUser(ctx, bob, 'PATCH', `/workspaces/${id}/members/${ann.id}`, { role: 'owner' })).status).toBe(200);
    expect((await asUser(ctx, ann, 'DELETE', `/workspaces/${id}/members/${bob.id}`)).status).toBe(204);
    const left = (await asUser(ctx, ann, 'GET', `/workspaces/${id}/members`)).body;
    expect(left.members.map((m: { user_id: string; role: string }) => [m.user_id, m.role])).toEqual([[ann.id, 'owner']]);
  });

  it('keeps one owner when both owners step down at the same moment', async () => {
    const t = await createTenant(ctx);
    // Without the workspace lock both would count two owners and both succeed.
    for (const step of [{ method: 'DELETE', body: undefined }, { method: 'PATCH', body: { role: 'member' } }] as const) {
      for (let round = 0; round < 3; round++) {
        const ann = await signIn(ctx, t.tenantId, 'member');
        const bob = await signIn(ctx, t.tenantId, 'member');
        const id = await createWorkspace(ctx, ann);
        expect((await asUser(ctx, ann, 'POST', `/workspaces/${id}/members`, { user_id: bob.id, role: 'owner' })).status).toBe(201);
        const results = await Promise.all([ann, bob].map((u) => asUser(ctx, u, step.method, `/workspaces/${id}/members/${u.id}`, step.body)));
        expect(results.map((r) => r.status).sort()).toEqual(step.method === 'DELETE' ? [204, 409] : [200, 409]);
        expect(results.find((r) => r.status === 409)!.body.error).toBe('last_owner');
        const members = (await call(ctx, t.keys.admin, 'GET', `/workspaces/${id}/members`)).body.members;
        expect(members.filter((m: { role: string }) => m.role === 'owner')).toHaveLength(1);
      }
    }
  });

  it('answers 404 for another tenant’s workspaces, users and work units', async () => {
    const a = await createTenant(ctx);
    const b = await createTenant(ctx);
    const ann = await signIn(ctx, a.tenantId, 'member');
    const bea = await signIn(ctx, b.tenantId, 'member');
    const id = await createWorkspace(ctx, ann);
    const theirs = await createWorkspace(ctx, bea);
    await insertWorkUnit(ctx, b.tenantId, 'b-unit');
    await call(ctx, b.keys.admin, 'POST', `/workspaces/${theirs}/work-units`, { work_unit_id: 'b-unit' });

    for (const [method, url, body] of [
      ['GET', `/workspaces/${theirs}`, undefined],
      ['PATCH', `/workspaces/${theirs}`, { name: 'x' }],
      ['DELETE', `/workspaces/${theirs}`, undefined],
      ['GET', `/workspaces/${theirs}/members`, undefined],
      ['GET', `/workspaces/${theirs}/members/${bea.id}`, undefined],
      ['POST', `/workspaces/${theirs}/members`, { user_id: ann.id, role: 'viewer' }],
      ['GET', `/workspaces/${theirs}/work-units`, undefined],
      ['DELETE', `/workspaces/${theirs}/work-units/b-unit`, undefined],
    ] as const) {
      for (const caller of [() => asUser(ctx, ann, method, url, body), () => call(ctx, a.keys.admin, method, url, body)]) {
        const res = await caller();
        expect(res.status, `${method} ${url}`).toBe(404);
        expect(res.body).toMatchObject({ error: 'not_found', details: { workspace_id: theirs } });
      }
    }
    const user = await asUser(ctx, ann, 'POST', `/workspaces/${id}/members`, { user_id: bea.id, role: 'viewer' });
    expect(user.status).toBe(404);
    expect(user.body.details).toEqual({ user_id: bea.id });
    const unit = await asUser(ctx, ann, 'POST', `/workspaces/${id}/work-units`, { work_unit_id: 'b-unit' });
    expect(unit.status).toBe(404);
    expect(unit.body.details).toEqual({ work_unit_id: 'b-unit' });
    expect((await call(ctx, a.keys.admin, 'GET', '/workspaces')).body).toMatchObject({ total: 1, workspaces: [{ id }] });
    expect(await ctx.services.workspaces.canRunWorkUnit(ann.auth, 'b-unit')).toBe(false);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const t = await createTenant(ctx);
    const owner = await signIn(ctx, t.tenantId, 'member');
    const id = await createWorkspace(ctx, owner);
    const cases: [string, string, string, unknown, string][] = [
      ['GET', '/workspaces/not-a-uuid', 'params', undefined, 'id'],
      ['GET', `/workspaces/${id}/members/42`, 'params', undefined, 'user_id'],
      ['POST', '/workspaces', 'body', {}, 'name'],
      ['POST', '/workspaces', 'body', { name: '' }, 'name'],
      ['POST', '/workspaces', 'body', { name: 'x', colour: 'red' }, 'colour'],
      ['PATCH', `/workspaces/${id}`, 'body', {}, 'body'],
      ['POST', `/workspaces/${id}/members`, 'body', { user_id: randomUUID() }, 'role'],
      ['POST', `/workspaces/${id}/members`, 'body', { user_id: randomUUID(), role: 'king' }, 'role'],
      ['POST', `/workspaces/${id}/members`, 'body', { user_id: 'bob', role: 'member' }, 'user_id'],
      ['POST', `/workspaces/${id}/members`, 'body', { user_id: randomUUID(), role: 'member', constraints: [1] }, 'constraints'],
      ['PATCH', `/workspaces/${id}/members/${owner.id}`, 'body', { role: 'boss' }, 'role'],
      ['POST', `/workspaces/${id}/work-units`, 'body', { work_unit_id: 'has space' }, 'work_unit_id'],
      ['POST', `/workspaces/${id}/work-units`, 'body', { work_unit_id: 'x', work_unit_type: 'big' }, 'work_unit_type'],
    ];
    for (const [method, url, location, body, field] of cases) {
      const res = await asUser(ctx, owner, method as 'GET', url, body);
      expect(res.status, `${method} ${url} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body).toMatchObject({ error: 'validation_error', details: { location, field } });
      expect(res.body.message).toContain(field === 'body' ? 'body' : field);
    }
  });
});

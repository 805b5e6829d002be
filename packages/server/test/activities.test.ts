import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp, type TestContext, type TestTenant } from './helpers.ts';

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

async function post(ctx: TestContext, t: TestTenant, body: Record<string, unknown>) {
  const res = await call(ctx, t.keys.both, 'POST', '/activities', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe.each(BACKENDS)('activities on %s', (backend) => {
  const ctx = useApp(backend);

  it('records an activity with a seq, idempotently on its id', async () => {
    const t = await createTenant(ctx);
    const first = await post(ctx, t, { id: 'a-1', action_name: 'Edit', target_name: 'src/app.ts', status: 'success', duration_ms: 12, data: { lines: 3 } });
    expect(first).toMatchObject({ id: 'a-1', seq: 1, type: 'activity', action_name: 'Edit', processing_status: 'PENDING', data: { lines: 3 } });
    const again = await call(ctx, t.keys.both, 'POST', '/activities', { id: 'a-1', action_name: 'Edit', target_name: 'src/app.ts' });
    expect(again.status).toBe(200);
    expect(again.body.seq).toBe(1);
    expect((await call(ctx, t.keys.both, 'POST', '/activities/test')).body).toMatchObject({ seq: 2, type: 'test' });
    expect((await call(ctx, t.keys.read, 'GET', '/activities/a-1')).body.target_name).toBe('src/app.ts');
    const bad = await call(ctx, t.keys.both, 'POST', '/activities', { target_name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('action_name');
  });

  it('filters the feed, pages newest first with a cursor, and catches up after a seq', async () => {
    const t = await createTenant(ctx);
    await post(ctx, t, { action_name: 'Read', type: 'tool', status: 'success', user_id: 'ann', session_id: 's1', source: 'claude-code' });
    await post(ctx, t, { action_name: 'Bash', type: 'tool', status: 'failed', user_id: 'bob', session_id: 's2', source: 'claude-code', run_id: 'r9', work_unit_id: 'w9' });
    await post(ctx, t, { action_name: 'Prompt', type: 'prompt', status: 'success', user_id: 'ann', session_id: 's1', source: 'sdk', occurred_at: hoursAgo(30) });
    const names = async (q: string) => ((await call(ctx, t.keys.read, 'GET', `/activities?${q}`)).body.activities as { action_name: string }[]).map((a) => a.action_name);
    expect(await names('')).toEqual(['Prompt', 'Bash', 'Read']);
    expect(await names('type=tool')).toEqual(['Bash', 'Read']);
    expect(await names('type=tool&type=prompt&status=success')).toEqual(['Prompt', 'Read']);
    expect(await names('user_id=ann')).toEqual(['Prompt', 'Read']);
    expect(await names('session_id=s2')).toEqual(['Bash']);
    expect(await names('run_id=r9&work_unit_id=w9')).toEqual(['Bash']);
    expect(await names('source=sdk')).toEqual(['Prompt']);
    expect(await names(`since=${hoursAgo(24)}`)).toEqual(['Bash', 'Read']);
    expect(await names(`until=${hoursAgo(24)}`)).toEqual(['Prompt']);

    const page1 = (await call(ctx, t.keys.read, 'GET', '/activities?limit=2')).body;
    expect(page1.activities.map((a: { seq: number }) => a.seq)).toEqual([3, 2]);
    const page2 = (await call(ctx, t.keys.read, 'GET', `/activities?limit=2&cursor=${page1.next_cursor}`)).body;
    expect(page2.activities.map((a: { seq: number }) => a.seq)).toEqual([1]);
    expect(page2.next_cursor).toBeNull();

    const catchUp = (await call(ctx, t.keys.read, 'GET', '/activities?after_seq=1')).body;
    expect(catchUp.activities.map((a: { seq: number }) => a.seq)).toEqual([2, 3]);
    expect(catchUp.last_seq).toBe(3);
    expect((await call(ctx, t.keys.read, 'GET', '/activities?after_seq=3')).body).toMatchObject({ activities: [], last_seq: 3 });
    expect((await call(ctx, t.keys.read, 'GET', '/activities?after_seq=1&cursor=Mg')).status).toBe(400);
  });

  it('gives concurrent writers consecutive seqs with no gap', async () => {
    const t = await createTenant(ctx);
    await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => call(ctx, t.keys.both, 'POST', '/activities', { action_name: `a${i}` })),
      ...Array.from({ length: 10 }, (_, i) => call(ctx, t.keys.both, 'POST', '/runs', { id: `r${i}` })),
    ]);
    const all = (await call(ctx, t.keys.read, 'GET', '/activities?after_seq=0&limit=500')).body.activities as { seq: number }[];
    expect(all.map((a) => a.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('summarises activities over a window (seed 002)', async () => {
    const t = await createTenant(ctx);
    const rows = [
      { status: 'success', type: 'tool', source: 'claude-code', duration_ms: 100, is_automated: true },
      { status: 'success', type: 'tool', source: 'claude-code', duration_ms: 200 },
      { status: 'success', type: 'tool', source: 'sdk', duration_ms: 300, is_automated: true },
      { status: 'failed', type: 'tool', source: 'sdk' },
      { status: 'failed', type: 'prompt', duration_ms: 400 },
      { status: 'success', type: 'tool', source: 'sdk', duration_ms: 10_000, occurred_at: hoursAgo(30) },
    ];
    for (const r of rows) await post(ctx, t, { action_name: 'x', ...r });
    const day = (await call(ctx, t.keys.read, 'GET', '/activities/summary')).body;
    expect(day).toEqual({
      period_hours: 24, total: 5, automated: 2, avg_duration_ms: 250,
      by_status: { success: 3, failed: 2 }, by_type: { tool: 4, prompt: 1 }, by_source: { 'claude-code': 2, sdk: 2, unknown: 1 },
    });
    const twoDays = (await call(ctx, t.keys.read, 'GET', '/activities/summary?hours=48')).body;
    expect(twoDays).toMatchObject({ total: 6, avg_duration_ms: 2200, by_status: { success: 4, failed: 2 } });
    expect((await call(ctx, t.keys.read, 'GET', '/activities/summary?hours=0')).status).toBe(400);
    const empty = await createTenant(ctx);
    expect((await call(ctx, empty.keys.read, 'GET', '/activities/summary')).body).toEqual({
      period_hours: 24, total: 0, automated: 0, avg_duration_ms: null, by_status: {}, by_type: {}, by_source: {},
    });
  });

  it('shows run transitions in the team and my feeds with seed 000’s event types', async () => {
    const t = await createTenant(ctx);
    const run = (id: string, user: string, extra: Record<string, unknown> = {}) =>
      call(ctx, t.keys.both, 'POST', '/runs', { id, user_id: user, user_name: user.toUpperCase(), work_unit_id: 'wu', work_unit_name: 'Summariser', ...extra });
    await run('ok', 'ann', { status: 'running' });
    await call(ctx, t.keys.both, 'POST', '/runs/ok/complete');
    await run('bad', 'bob');
    await call(ctx, t.keys.both, 'POST', '/runs/bad/fail', { error: 'quota' });
    await post(ctx, t, { action_name: 'Read', type: 'tool', user_id: 'ann' });

    const team = (await call(ctx, t.keys.read, 'GET', '/activity/team?limit=10')).body;
    expect(team.map((e: { type: string }) => e.type)).toEqual(['error', 'run', 'completion', 'run']);
    expect(team[0]).toMatchObject({ user_id: 'bob', user_name: 'BOB', work_unit_id: 'wu', work_unit_name: 'Summariser', details: { error: 'quota', status: 'failed' } });
    expect(typeof team[0].timestamp).toBe('string');
    const limited = (await call(ctx, t.keys.read, 'GET', '/activity/team?limit=1')).body;
    expect(limited).toHaveLength(1);
    const mine = (await call(ctx, t.keys.read, 'GET', '/activity/my?user_id=ann')).body;
    expect(mine.map((e: { type: string }) => e.type)).toEqual(['completion', 'run']);
    expect((await call(ctx, t.keys.read, 'GET', '/activity/team?limit=101')).status).toBe(400);
  });

  it('summarises runs of the window by status with the success rate (seed 000)', async () => {
    const t = await createTenant(ctx);
    for (const [id, path] of [['c1', ['complete']], ['c2', ['complete']], ['c3', ['complete']], ['f1', ['fail']], ['r1', []], ['x1', ['cancel']]] as const) {
      await call(ctx, t.keys.both, 'POST', '/runs', { id, status: 'running' });
      for (const p of path) await call(ctx, t.keys.both, 'POST', `/runs/${id}/${p}`);
    }
    await call(ctx, t.keys.both, 'POST', '/runs', { id: 'p1' });
    await call(ctx, t.keys.both, 'POST', '/runs', { id: 'old' });
    await ctx.db.query(`UPDATE runs SET created_at = now() - interval '30 hours' WHERE tenant_id = $1 AND id = 'old'`, [t.tenantId]);
    expect((await call(ctx, t.keys.read, 'GET', '/activity/summary?hours=24')).body).toEqual({
      period_hours: 24, total_runs: 7, completed: 3, failed: 1, pending: 1, running: 1, cancelled: 1, success_rate: 0.43,
    });
    expect((await call(ctx, t.keys.read, 'GET', '/activity/summary?hours=48')).body).toMatchObject({ total_runs: 8, pending: 2, success_rate: 0.38 });
    const empty = await createTenant(ctx);
    expect((await call(ctx, empty.keys.read, 'GET', '/activity/summary')).body).toMatchObject({ total_runs: 0, success_rate: 0 });
  });

  it('never shows another tenant’s activities on any route', async () => {
    const a = await createTenant(ctx);
    const b = await createTenant(ctx);
    await post(ctx, a, { id: 'private', action_name: 'Secret', user_id: 'ann' });
    await call(ctx, a.keys.both, 'POST', '/runs', { id: 'ra', user_id: 'ann' });
    expect((await call(ctx, b.keys.read, 'GET', '/activities/private')).status).toBe(404);
    expect((await call(ctx, b.keys.read, 'GET', '/activities')).body.activities).toEqual([]);
    expect((await call(ctx, b.keys.read, 'GET', '/activities?after_seq=0')).body.activities).toEqual([]);
    expect((await call(ctx, b.keys.read, 'GET', '/activities/summary')).body.total).toBe(0);
    expect((await call(ctx, b.keys.read, 'GET', '/activity/team')).body).toEqual([]);
    expect((await call(ctx, b.keys.read, 'GET', '/activity/my?user_id=ann')).body).toEqual([]);
    expect((await call(ctx, b.keys.read, 'GET', '/activity/summary')).body.total_runs).toBe(0);
    // The same client id in another tenant is another activity, with that tenant's own seq.
    expect((await call(ctx, b.keys.both, 'POST', '/activities', { id: 'private', action_name: 'Mine' })).body).toMatchObject({ seq: 1, action_name: 'Mine' });
  });
});

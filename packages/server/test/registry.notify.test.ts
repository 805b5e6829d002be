import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../src/realtime/event-bus.ts';
import { BACKENDS, call, createTenant, useApp, type TestContext, type TestTenant } from './helpers.ts';

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

async function setup(ctx: TestContext, id = 'wf') {
  const t = await createTenant(ctx);
  const res = await call(ctx, t.keys.ingest, 'POST', '/work-units', { id, name: `Unit ${id}`, kind: 'workflow', type: 'composite' });
  expect(res.status).toBe(201);
  return t;
}

const notify = (ctx: TestContext, t: TestTenant, unit: string, body: Record<string, unknown>, base = '/work-units') =>
  call(ctx, t.keys.ingest, 'POST', `${base}/${unit}/runs/notify`, body);

const unitOf = async (ctx: TestContext, t: TestTenant, id = 'wf') => (await call(ctx, t.keys.read, 'GET', `/work-units/${id}`)).body;

describe.each(BACKENDS)('work-unit run notifications on %s', (backend) => {
  const ctx = useApp(backend);

  it('creates the run from seed 003\'s notification and answers seed 003\'s body', async () => {
    const t = await setup(ctx);
    const res = await notify(ctx, t, 'wf', { run_id: 'run-456', status: 'completed', duration_ms: 1200 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Workflow run notification processed', workflow_id: 'wf', run_id: 'run-456', status: 'created', run_status: 'completed',
    });
    const run = (await call(ctx, t.keys.read, 'GET', '/runs/run-456')).body;
    expect(run).toMatchObject({
      id: 'run-456', work_unit_id: 'wf', work_unit_name: 'Unit wf', work_unit_type: 'composite', source: 'registry',
      status: 'completed', state: 'COMPLETED', duration_ms: 1200,
    });
    expect(new Date(run.completed_at).getTime() - new Date(run.started_at).getTime()).toBe(1200);
    expect(await unitOf(ctx, t)).toMatchObject({ latest_run_id: 'run-456', latest_run_status: 'completed', latest_run_at: run.started_at, total_runs: 1 });

    // The same transitions as the run routes: started, then completed, in the feed.
    const { rows } = await ctx.db.query<{ action_name: string; work_unit_id: string }>(
      `SELECT action_name, work_unit_id FROM activities WHERE tenant_id = $1 AND run_id = 'run-456' ORDER BY seq`, [t.tenantId],
    );
    expect(rows).toEqual([{ action_name: 'run.started', work_unit_id: 'wf' }, { action_name: 'run.completed', work_unit_id: 'wf' }]);
  });

  it('is idempotent per run_id: the same notification three times counts one run', async () => {
    const t = await setup(ctx);
    const body = { run_id: 'r1', status: 'completed', started_at: minutesAgo(5), completed_at: minutesAgo(4), output_data: { ok: true } };
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await notify(ctx, t, 'wf', body));
    expect(answers.map((a) => [a.status, a.body.status, a.body.run_status])).toEqual([
      [200, 'created', 'completed'], [200, 'unchanged', 'completed'], [200, 'unchanged', 'completed'],
    ]);
    expect(await unitOf(ctx, t)).toMatchObject({ total_runs: 1, latest_run_id: 'r1', latest_run_status: 'completed' });
    const { rows } = await ctx.db.query<{ n: number }>(`SELECT count(*) AS n FROM activities WHERE tenant_id = $1 AND run_id = 'r1'`, [t.tenantId]);
    expect(rows[0]!.n).toBe(2);
  });

  it('never moves a run or latest_run_* backwards when reports arrive out of order', async () => {
    const t = await setup(ctx);
    expect((await notify(ctx, t, 'wf', { run_id: 'late', status: 'completed', started_at: minutesAgo(3) })).body.status).toBe('created');
    const stale = await notify(ctx, t, 'wf', { run_id: 'late', status: 'running', started_at: minutesAgo(3) });
    expect(stale.status).toBe(200);
    expect(stale.body).toMatchObject({ status: 'unchanged', run_status: 'completed' });
    const pending = await notify(ctx, t, 'wf', { run_id: 'late', status: 'pending' });
    expect(pending.body).toMatchObject({ status: 'unchanged', run_status: 'completed' });
    expect((await call(ctx, t.keys.read, 'GET', '/runs/late')).body.status).toBe('completed');
    expect(await unitOf(ctx, t)).toMatchObject({ latest_run_id: 'late', latest_run_status: 'completed', total_runs: 1 });

    // A different end after the end is the lifecycle's 409, with the current status.
    const conflict = await notify(ctx, t, 'wf', { run_id: 'late', status: 'failed', error: 'boom' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: 'illegal_transition', details: { status: 'completed', action: 'fail' } });
  });

  it('keeps latest_run_* on the newest run by start time, not by arrival', async () => {
    const t = await setup(ctx);
    await notify(ctx, t, 'wf', { run_id: 'newer', status: 'completed', started_at: minutesAgo(10), duration_ms: 1000 });
    await notify(ctx, t, 'wf', { run_id: 'older', status: 'failed', started_at: minutesAgo(60), error: 'timeout' });
    const unit = await unitOf(ctx, t);
    expect(unit).toMatchObject({ latest_run_id: 'newer', latest_run_status: 'completed', total_runs: 2 });
    const newer = (await call(ctx, t.keys.read, 'GET', '/runs/newer')).body;
    expect(unit.latest_run_at).toBe(newer.started_at);

    // The latest run's own later status follows it to the unit.
    await notify(ctx, t, 'wf', { run_id: 'newest', status: 'running', started_at: minutesAgo(1) });
    expect(await unitOf(ctx, t)).toMatchObject({ latest_run_id: 'newest', latest_run_status: 'running', total_runs: 3 });
    const done = await notify(ctx, t, 'wf', { run_id: 'newest', status: 'completed', duration_ms: 30_000 });
    expect(done.body).toMatchObject({ status: 'updated', run_status: 'completed' });
    expect(await unitOf(ctx, t)).toMatchObject({ latest_run_id: 'newest', latest_run_status: 'completed', total_runs: 3 });
    const run = (await call(ctx, t.keys.read, 'GET', '/runs/newest')).body;
    expect(run.duration_ms).toBe(30_000);

    const history = await call(ctx, t.keys.read, 'GET', '/workflows/wf/runs');
    expect(history.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual(['newest', 'newer', 'older']);
  });

  it('counts exactly under concurrent notifications of different runs', async () => {
    const t = await setup(ctx);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      notify(ctx, t, 'wf', { run_id: `c-${i}`, status: 'completed', started_at: new Date(Date.now() - 60_000 + i * 1000).toISOString() })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.every((a) => a.body.status === 'created')).toBe(true);
    expect(await unitOf(ctx, t)).toMatchObject({ total_runs: 20, latest_run_id: 'c-19', latest_run_status: 'completed' });
    // The same twenty again, concurrently, with repeats of one run: still twenty.
    const repeats = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => notify(ctx, t, 'wf', { run_id: `c-${i}`, status: 'completed' })),
      ...Array.from({ length: 5 }, () => notify(ctx, t, 'wf', { run_id: 'c-new', status: 'running' })),
    ]);
    expect(repeats.map((a) => a.status)).toEqual(Array(25).fill(200));
    expect(repeats.filter((a) => a.body.status === 'created').map((a) => a.body.run_id)).toEqual(['c-new']);
    expect(await unitOf(ctx, t)).toMatchObject({ total_runs: 21 });
  });

  it('counts runs written by POST /runs, their transitions and /ingest', async () => {
    const t = await setup(ctx, 'agent-x');
    const created = await call(ctx, t.keys.both, 'POST', '/runs', { id: 'rest-1', work_unit_id: 'agent-x' });
    expect(created.status).toBe(201);
    expect(await unitOf(ctx, t, 'agent-x')).toMatchObject({ total_runs: 1, latest_run_id: 'rest-1', latest_run_status: 'pending' });
    await call(ctx, t.keys.both, 'POST', '/runs/rest-1/start');
    expect(await unitOf(ctx, t, 'agent-x')).toMatchObject({ latest_run_status: 'running' });
    await call(ctx, t.keys.both, 'POST', '/runs/rest-1/fail', { error: 'boom' });
    expect(await unitOf(ctx, t, 'agent-x')).toMatchObject({ total_runs: 1, latest_run_status: 'failed' });
    // A repeated create is not a second run.
    expect((await call(ctx, t.keys.both, 'POST', '/runs', { id: 'rest-1', work_unit_id: 'agent-x' })).status).toBe(200);

    const batch = await call(ctx, t.keys.both, 'POST', '/ingest', { items: [
      { type: 'run.create', id: 'b-1', body: { work_unit_id: 'agent-x', status: 'running' } },
      { type: 'run.create', id: 'b-2', body: { work_unit_id: 'agent-x' } },
      { type: 'run.complete', id: 'b-1', body: {} },
      { type: 'run.create', id: 'b-3', body: { work_unit_id: 'unregistered' } },
    ] });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r: { status: number }) => r.status)).toEqual([201, 201, 200, 201]);
    const unit = await unitOf(ctx, t, 'agent-x');
    expect(unit.total_runs).toBe(3);
    // Newest by started_at (b-1) against created_at (b-2, never started); equal times go to the larger id.
    const b1 = (await call(ctx, t.keys.read, 'GET', '/runs/b-1')).body;
    const b2 = (await call(ctx, t.keys.read, 'GET', '/runs/b-2')).body;
    const newest = new Date(b1.started_at) > new Date(b2.created_at) ? 'b-1' : 'b-2';
    expect(unit.latest_run_id).toBe(newest);
    // Resending the batch writes nothing.
    await call(ctx, t.keys.both, 'POST', '/ingest', { items: [{ type: 'run.create', id: 'b-2', body: { work_unit_id: 'agent-x' } }] });
    expect((await unitOf(ctx, t, 'agent-x')).total_runs).toBe(3);
    const history = await call(ctx, t.keys.read, 'GET', '/work-units/agent-x/runs');
    expect(history.body.total).toBe(3);
  });

  it('moves an existing run forward with the lifecycle rules and claims a run without a unit', async () => {
    const t = await setup(ctx);
    await call(ctx, t.keys.both, 'POST', '/runs', { id: 'p1', work_unit_id: 'wf' });
    const started = await notify(ctx, t, 'wf', { run_id: 'p1', status: 'running', started_at: minutesAgo(2) });
    expect(started.body).toMatchObject({ status: 'updated', run_status: 'running' });
    const completed = await notify(ctx, t, 'wf', { run_id: 'p1', status: 'completed', input_tokens: 100, output_tokens: 20, estimated_cost_usd: 0.5 });
    expect(completed.body).toMatchObject({ status: 'updated', run_status: 'completed' });
    expect((await call(ctx, t.keys.read, 'GET', '/runs/p1')).body).toMatchObject({ status: 'completed', input_tokens: 100, estimated_cost_usd: 0.5, cost_source: 'reported' });

    // Pending straight to failed when nothing says it started.
    await notify(ctx, t, 'wf', { run_id: 'p2', status: 'pending' });
    const failed = await notify(ctx, t, 'wf', { run_id: 'p2', status: 'failed', error: 'no capacity', error_type: 'Capacity' });
    expect(failed.body).toMatchObject({ status: 'updated', run_status: 'failed' });
    expect((await call(ctx, t.keys.read, 'GET', '/runs/p2')).body).toMatchObject({ started_at: null, duration_ms: null, error: 'no capacity' });

    await call(ctx, t.keys.both, 'POST', '/runs', { id: 'loose', status: 'running' });
    const claimed = await notify(ctx, t, 'wf', { run_id: 'loose', status: 'running' });
    expect(claimed.body).toMatchObject({ status: 'updated', run_status: 'running' });
    expect((await call(ctx, t.keys.read, 'GET', '/runs/loose')).body).toMatchObject({ work_unit_id: 'wf', work_unit_name: 'Unit wf' });
    expect(await unitOf(ctx, t)).toMatchObject({ total_runs: 3 });

    await call(ctx, t.keys.ingest, 'POST', '/work-units', { id: 'other', name: 'Other' });
    const elsewhere = await notify(ctx, t, 'other', { run_id: 'p1', status: 'completed' });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body).toMatchObject({ error: 'run_in_other_work_unit', details: { work_unit_id: 'wf' } });
    expect((await unitOf(ctx, t, 'other')).total_runs).toBe(0);
  });

  it('validates notifications and serves /workflows identically', async () => {
    const t = await setup(ctx);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ status: 'completed' }, 'run_id'],
      [{ run_id: 'v', status: 'done' }, 'status'],
      [{ run_id: 'v', status: 'completed', duration_ms: -1 }, 'duration_ms'],
      [{ run_id: 'v', status: 'completed', started_at: 'yesterday' }, 'started_at'],
      [{ run_id: 'v', status: 'completed', extra: 1 }, 'extra'],
      [{ run_id: 'v', status: 'running', started_at: new Date(Date.now() + 3_600_000).toISOString() }, 'started_at'],
      [{ run_id: 'v', status: 'completed', started_at: minutesAgo(1), completed_at: minutesAgo(2) }, 'completed_at'],
    ];
    for (const [body, field] of cases) {
      for (const base of ['/work-units', '/workflows']) {
        const res = await notify(ctx, t, 'wf', body, base);
        expect(res.status, `${base} ${JSON.stringify(body)}`).toBe(400);
        expect(res.body.details.field, `${base} ${JSON.stringify(body)}`).toBe(field);
      }
    }
    expect(await unitOf(ctx, t)).toMatchObject({ total_runs: 0, latest_run_id: null });

    const viaAlias = await notify(ctx, t, 'wf', { run_id: 'a1', status: 'running' }, '/workflows');
    const viaUnits = await notify(ctx, t, 'wf', { run_id: 'a1', status: 'running' }, '/work-units');
    expect(viaAlias.body).toEqual({ message: 'Workflow run notification processed', workflow_id: 'wf', run_id: 'a1', status: 'created', run_status: 'running' });
    expect(viaUnits.body).toEqual({ ...viaAlias.body, status: 'unchanged' });
  });

  it('publishes the run and its activities live', async () => {
    const t = await setup(ctx);
    const events: LiveEvent[] = [];
    // Renders of the activities follow on their own (rendering's tests cover them).
    const stop = ctx.services.bus.subscribe((e) => { if (e.tenantId === t.tenantId && e.type !== 'activity_rendered') events.push(e); });
    try {
      await notify(ctx, t, 'wf', { run_id: 'live-1', status: 'completed', duration_ms: 50 });
      await notify(ctx, t, 'wf', { run_id: 'live-1', status: 'completed', duration_ms: 50 });
    } finally {
      stop();
    }
    expect(events.map((e) => e.type)).toEqual(['run_updated', 'activity_created', 'activity_created']);
    const [run, started, completed] = events as [LiveEvent, LiveEvent & { data: { action_name: string } }, LiveEvent & { data: { action_name: string } }];
    expect(run.data).toMatchObject({ id: 'live-1', status: 'completed', work_unit_id: 'wf' });
    expect(run.seq).toBe(completed.seq);
    expect([started.data.action_name, completed.data.action_name]).toEqual(['run.started', 'run.completed']);
    expect(completed.seq).toBe(started.seq + 1);
  });
});

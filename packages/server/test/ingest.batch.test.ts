import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp, type TestContext, type TestTenant } from './helpers.ts';

async function counts(ctx: TestContext, t: TestTenant) {
  const one = async (table: string) =>
    (await ctx.db.query<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = $1`, [t.tenantId])).rows[0]!.n;
  return { runs: await one('runs'), steps: await one('trace_steps'), activities: await one('activities') };
}

describe.each(BACKENDS)('batch ingestion on %s', (backend) => {
  const ctx = useApp(backend);

  it('answers every item in order; bad items never reject the good ones; a resend changes nothing', async () => {
    const t = await createTenant(ctx);
    await call(ctx, t.keys.both, 'POST', '/runs', { id: 'pending-run' });
    const items = [
      { type: 'run.create', id: 'b1', body: { work_unit_name: 'Agent', provider_type: 'anthropic', model: 'claude-haiku-4-5' } },
      { type: 'run.start', id: 'b1' },
      { type: 'steps.append', id: 'b1', body: { steps: [{ step_index: 0, kind: 'llm' }, { step_index: 1, kind: 'tool' }] } },
      { type: 'run.heartbeat', id: 'b1' },
      { type: 'run.complete', id: 'b1', body: { input_tokens: 1_000_000, output_tokens: 1_000_000, step_count: 2 } },
      { type: 'activity.create', id: 'act-1', body: { action_name: 'Read', target_name: 'README.md' } },
      { type: 'run.explode', id: 'b1' },                                          // unknown type
      { type: 'run.complete', body: {} },                                          // no id
      { type: 'run.complete', id: 'b1', body: { input_tokens: -5 } },             // bad body
      { type: 'run.start', id: 'nowhere' },                                        // unknown run
      { type: 'run.complete', id: 'pending-run' },                                 // illegal: pending → completed
      { type: 'activity.create', id: 'act-2', body: { action_name: 'Late', occurred_at: '2999-01-01T00:00:00Z' } },
      { type: 'run.create', id: 'b2', body: { status: 'pending', started_at: '2020-01-01T00:00:00Z' } },
      'not an object',
    ];
    const before = await counts(ctx, t);
    const first = await call(ctx, t.keys.ingest, 'POST', '/ingest', { items });
    expect(first.status).toBe(200);
    const summary = first.body.results.map((r: { index: number; status: number; error?: string }) => [r.index, r.status, r.error ?? null]);
    expect(summary).toEqual([
      [0, 201, null], [1, 200, null], [2, 200, null], [3, 200, null], [4, 200, null], [5, 201, null],
      [6, 400, 'validation_error'], [7, 400, 'validation_error'], [8, 400, 'validation_error'],
      [9, 404, 'not_found'], [10, 409, 'illegal_transition'], [11, 400, 'validation_error'], [12, 400, 'validation_error'],
      [13, 400, 'validation_error'],
    ]);
    expect(first.body.results[8].message).toContain('items[8].body.input_tokens');
    expect(first.body.results[11].message).toContain('occurred_at');

    const run = (await call(ctx, t.keys.read, 'GET', '/runs/b1')).body;
    // claude-haiku-4-5: 1M input × $1 + 1M output × $5.
    expect(run).toMatchObject({ status: 'completed', cost_source: 'computed', estimated_cost_usd: 6, work_unit_name: 'Agent' });
    expect((await call(ctx, t.keys.read, 'GET', '/runs/b1/steps')).body.steps).toHaveLength(2);
    const feed = (await call(ctx, t.keys.read, 'GET', '/activities?after_seq=1')).body.activities;
    expect(feed.map((a: { action_name: string }) => a.action_name)).toEqual(['run.created', 'run.started', 'run.completed', 'Read']);
    const after = await counts(ctx, t);
    expect(after).toEqual({ runs: before.runs + 1, steps: 2, activities: before.activities + 4 });

    const resend = await call(ctx, t.keys.ingest, 'POST', '/ingest', { items });
    expect(resend.body).toEqual(first.body);
    expect(await counts(ctx, t)).toEqual(after);
  });

  it('is idempotent item by item for overlapping batches', async () => {
    const t = await createTenant(ctx);
    const create = { type: 'run.create', id: 'o1', body: { status: 'running' } };
    const steps = (from: number) => ({ type: 'steps.append', id: 'o1', body: { steps: [0, 1, 2].map((i) => ({ step_index: from + i })) } });
    const one = await call(ctx, t.keys.ingest, 'POST', '/ingest', { items: [create, steps(0), { type: 'activity.create', id: 'x', body: { action_name: 'A' } }] });
    expect(one.body.results.map((r: { status: number }) => r.status)).toEqual([201, 200, 201]);
    const two = await call(ctx, t.keys.ingest, 'POST', '/ingest', { items: [create, steps(2), { type: 'activity.create', id: 'x', body: { action_name: 'A' } }, { type: 'run.complete', id: 'o1' }] });
    expect(two.body.results.map((r: { status: number }) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await counts(ctx, t)).toEqual({ runs: 1, steps: 5, activities: 3 });
  });

  it('applies several transitions of one run in item order and lets a later run reuse the batch', async () => {
    const t = await createTenant(ctx);
    const items = Array.from({ length: 200 }, (_, i) => [
      { type: 'run.create', id: `m${i}`, body: { status: 'running', work_unit_id: 'bulk' } },
      { type: i % 2 ? 'run.fail' : 'run.complete', id: `m${i}`, body: i % 2 ? { error: 'x' } : {} },
    ]).flat();
    const res = await call(ctx, t.keys.ingest, 'POST', '/ingest', { items });
    expect(res.body.results.every((r: { status: number }) => r.status < 300)).toBe(true);
    const failed = await call(ctx, t.keys.read, 'GET', '/runs?status=failed&limit=500');
    expect(failed.body.runs).toHaveLength(100);
    const seqs = (await call(ctx, t.keys.read, 'GET', '/activities?after_seq=0&limit=500')).body.activities.map((a: { seq: number }) => a.seq);
    expect(seqs).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
  });

  it('publishes every run it creates or changes once, at its last transition, and nothing on a resend', async () => {
    const t = await createTenant(ctx);
    const events: { type: string; seq: number; data: any }[] = [];
    const stop = ctx.services.bus.subscribe((e) => { if (e.tenantId === t.tenantId) events.push(e); });
    try {
      const items = [
        { type: 'run.create', id: 'only-created' },
        { type: 'run.create', id: 'created-and-done', body: { status: 'running' } },
        { type: 'run.complete', id: 'created-and-done' },
        { type: 'activity.create', id: 'note', body: { action_name: 'Note', run_id: 'only-created' } },
      ];
      await call(ctx, t.keys.ingest, 'POST', '/ingest', { items });
      const runs = events.filter((e) => e.type === 'run_updated').map((e) => [e.data.id, e.data.status, e.seq]);
      // seqs: 1 only-created created, 2 created-and-done created, 3 its completion, 4 the note.
      expect(runs.sort()).toEqual([['created-and-done', 'completed', 3], ['only-created', 'pending', 1]]);
      expect(events.filter((e) => e.type === 'activity_created').map((e) => e.seq)).toEqual([1, 2, 3, 4]);

      events.length = 0;
      await call(ctx, t.keys.ingest, 'POST', '/ingest', { items });
      // Renders of the first write's activities may still arrive; the resend itself publishes nothing.
      expect(events.filter((e) => e.type !== 'activity_rendered')).toEqual([]);
    } finally {
      stop();
    }
  });

  it('limits the batch, needs the ingest scope, and keeps tenants apart', async () => {
    const t = await createTenant(ctx);
    const other = await createTenant(ctx);
    const tooMany = await call(ctx, t.keys.ingest, 'POST', '/ingest', { items: Array.from({ length: 1001 }, (_, i) => ({ type: 'run.create', id: `z${i}` })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain('items');
    expect((await call(ctx, t.keys.read, 'POST', '/ingest', { items: [] })).status).toBe(403);
    await call(ctx, other.keys.both, 'POST', '/runs', { id: 'theirs', status: 'running' });
    const res = await call(ctx, t.keys.ingest, 'POST', '/ingest', { items: [
      { type: 'run.complete', id: 'theirs' },
      { type: 'steps.append', id: 'theirs', body: { steps: [{ step_index: 0 }] } },
    ] });
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([404, 404]);
    expect((await call(ctx, other.keys.read, 'GET', '/runs/theirs')).body.status).toBe('running');
  });

  it('applies the same heartbeat batch every time it is sent: heartbeats are repeated on purpose', async () => {
    const t = await createTenant(ctx);
    await call(ctx, t.keys.ingest, 'POST', '/runs', { id: 'beating', status: 'running' });
    const beat = { items: [{ type: 'run.heartbeat', id: 'beating' }] };
    expect((await call(ctx, t.keys.ingest, 'POST', '/ingest', beat)).body.results).toEqual([{ index: 0, status: 200, id: 'beating' }]);
    const first = (await call(ctx, t.keys.read, 'GET', '/runs/beating')).body.last_seen_at;
    let last = first;
    for (let i = 0; i < 50 && last === first; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect((await call(ctx, t.keys.ingest, 'POST', '/ingest', beat)).status).toBe(200);
      last = (await call(ctx, t.keys.read, 'GET', '/runs/beating')).body.last_seen_at;
    }
    expect(Date.parse(last)).toBeGreaterThan(Date.parse(first));
  });
});

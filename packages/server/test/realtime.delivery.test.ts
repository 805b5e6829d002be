import { describe, expect, it } from 'vitest';
import { appendActivities } from '../src/domain/activities/activities.repository.ts';
import { BACKENDS, call, createTenant } from './helpers.ts';
import { LiveClient, activitySeqs, range, useLiveApp } from './realtime-helpers.ts';

describe.each(BACKENDS)('WebSocket delivery (%s)', (backend) => {
  const ctx = useLiveApp(backend);

  it('sends arrays of events in seq order, filtered by channel', async () => {
    const tenant = await createTenant(ctx);
    const feed = await LiveClient.open(ctx, { key: tenant.keys.read });
    const runs = await LiveClient.open(ctx, { key: tenant.keys.read });
    const one = await LiveClient.open(ctx, { key: tenant.keys.read });
    await feed.subscribe(['activity']);
    await runs.subscribe(['runs']);
    await one.subscribe(['run:r-1']);

    const ingest = (method: 'POST', url: string, body?: unknown) => call(ctx, tenant.keys.ingest, method, url, body);
    await ingest('POST', '/runs', { id: 'r-1', work_unit_name: 'triage' });
    await ingest('POST', '/runs', { id: 'r-2' });
    await ingest('POST', '/runs/r-1/start');
    await ingest('POST', '/runs/r-1/steps', { steps: [{ step_index: 0, kind: 'llm' }] });
    await ingest('POST', '/runs/r-2/steps', { steps: [{ step_index: 0, kind: 'tool' }] });
    await ingest('POST', '/runs/r-1/complete', { input_tokens: 10, output_tokens: 5 });

    await feed.waitFor((items) => items.filter((i) => i.type === 'activity_created').length === 4);
    await runs.waitFor((items) => items.filter((i) => i.type === 'run_updated').length === 4 && items.filter((i) => i.type === 'step_added').length === 2);
    await one.waitFor((items) => items.some((i) => i.type === 'run_updated' && i.data.status === 'completed'));
    await Promise.all([feed.settle(), runs.settle(), one.settle()]);

    // activity: the four transition activities with consecutive seqs, nothing else (their renders follow as activity_rendered).
    expect(feed.items.filter((i) => i.type !== 'activity_rendered').map((i) => i.type)).toEqual(['subscribed', ...Array(4).fill('activity_created')]);
    expect(activitySeqs(feed)).toEqual([1, 2, 3, 4]);
    expect(feed.of('activity_created').map((e) => [e.data.run_id, e.data.type, e.data.seq])).toEqual([
      ['r-1', 'run', 1], ['r-2', 'run', 2], ['r-1', 'run', 3], ['r-1', 'completion', 4],
    ]);
    expect(feed.of('activity_created')[0]!.data).not.toHaveProperty('tenant_id');

    // runs: run and step events of both runs, no activities; seqs never go back.
    expect(runs.of('activity_created')).toEqual([]);
    expect(runs.of('run_updated').map((e) => [e.data.id, e.data.status, e.seq])).toEqual([
      ['r-1', 'pending', 1], ['r-2', 'pending', 2], ['r-1', 'running', 3], ['r-1', 'completed', 4],
    ]);
    expect(runs.of('step_added').map((e) => [e.data.run_id, e.data.steps.length, e.seq])).toEqual([['r-1', 1, 3], ['r-2', 1, 3]]);
    const seqs = runs.items.filter((i) => i.type !== 'subscribed').map((i) => i.seq!);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));

    // run:r-1: everything about r-1 and nothing about r-2.
    const runOf = (i: { type: string; data?: any }) => (i.type === 'run_updated' ? i.data.id : i.data.run_id);
    expect(new Set(one.items.filter((i) => i.type !== 'subscribed').map(runOf))).toEqual(new Set(['r-1']));
    expect(one.of('run_updated').map((e) => e.data.status)).toEqual(['pending', 'running', 'completed']);
    expect(one.of('activity_created')).toHaveLength(3);
    expect(one.of('step_added')).toHaveLength(1);

    for (const client of [feed, runs, one]) {
      expect(client.badFrames).toEqual([]);
      await client.close();
    }
  });

  it('batches events written close together into few frames', async () => {
    const tenant = await createTenant(ctx);
    const client = await LiveClient.open(ctx, { key: tenant.keys.read });
    await client.subscribe(['activity']);
    const framesBefore = client.frames;
    await call(ctx, tenant.keys.ingest, 'POST', '/ingest', {
      items: Array.from({ length: 50 }, (_, i) => ({ type: 'activity.create', id: `batch-${i}`, body: { type: 'note', action_name: 'note.added' } })),
    });
    await client.waitFor(() => activitySeqs(client).length === 50);
    expect(activitySeqs(client)).toEqual(range(1, 50));
    expect(client.frames - framesBefore).toBeLessThanOrEqual(3);
    await client.close();
  });

  it('resumes with after_seq: replays what was missed, then goes live, with no gap and no duplicate', async () => {
    const tenant = await createTenant(ctx);
    const create = (id: string) => call(ctx, tenant.keys.ingest, 'POST', '/runs', { id });
    const first = await LiveClient.open(ctx, { key: tenant.keys.read });
    await first.subscribe(['activity', 'runs']);
    for (const id of ['a', 'b', 'c']) await create(id);
    await first.waitFor(() => activitySeqs(first).length === 3);
    const seen = Math.max(...activitySeqs(first));
    await first.close();

    // Written while the client is away: three runs and a transition of an earlier one.
    for (const id of ['d', 'e', 'f']) await create(id);
    await call(ctx, tenant.keys.ingest, 'POST', '/runs/a/start');

    const again = await LiveClient.open(ctx, { key: tenant.keys.read });
    const ack = await again.subscribe(['activity', 'runs'], seen);
    expect(ack).toMatchObject({ after_seq: 3, last_seq: 7, replayed: 4 });
    await again.waitFor(() => activitySeqs(again).length === 4);
    await create('g');
    await again.waitFor(() => activitySeqs(again).length === 5);
    await again.settle();
    expect(activitySeqs(again)).toEqual([4, 5, 6, 7, 8]);
    // The replay rebuilds run_updated from the transitions, with the run as it is now.
    expect(again.of('run_updated').map((e) => [e.data.id, e.data.status, e.seq])).toEqual([
      ['d', 'pending', 4], ['e', 'pending', 5], ['f', 'pending', 6], ['a', 'running', 7], ['g', 'pending', 8],
    ]);
    await again.close();
  });

  it('a subscription made while writers are busy misses nothing and repeats nothing', async () => {
    const tenant = await createTenant(ctx);
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await Promise.all(range(1, 4).map(() => call(ctx, tenant.keys.ingest, 'POST', '/activities', { type: 'note', action_name: 'note.added' })));
        written += 4;
      }
    })();
    // Subscribes while writes are under way, and lets them go on a while after.
    const until = async (n: number) => {
      while (written < n) await new Promise((resolve) => setImmediate(resolve));
    };
    await until(8);
    const late = await LiveClient.open(ctx, { key: tenant.keys.read });
    await late.subscribe(['activity'], 0);
    await until(written + 16);
    writing = false;
    await writer;
    await late.waitFor(() => activitySeqs(late).length === written);
    await late.settle();
    expect(activitySeqs(late)).toEqual(range(1, written));
    await late.close();
  });

  it('concurrent writers: a client sees strictly consecutive seqs, the same as the catch-up API', async () => {
    const tenant = await createTenant(ctx);
    const client = await LiveClient.open(ctx, { key: tenant.keys.read });
    await client.subscribe(['activity']);
    const writes = range(1, 120).map((i) =>
      i % 3 === 0
        ? call(ctx, tenant.keys.ingest, 'POST', '/activities', { id: `act-${i}`, type: 'note', action_name: 'note.added' })
        : call(ctx, tenant.keys.ingest, 'POST', '/runs', { id: `run-${i}` }),
    );
    const results = await Promise.all(writes);
    expect(results.every((r) => r.status === 201)).toBe(true);
    await client.waitFor(() => activitySeqs(client).length >= 120);
    await client.settle();
    expect(activitySeqs(client)).toEqual(range(1, 120));
    const caughtUp = await call(ctx, tenant.keys.read, 'GET', '/activities?after_seq=0&limit=200');
    expect(client.of('activity_created').map((e) => e.data.id)).toEqual(caughtUp.body.activities.map((a: { id: string }) => a.id));
    await client.close();
  });

  it('wake-ups that arrive late, twice or never still give each client every activity once, in order', async () => {
    const tenant = await createTenant(ctx);
    const client = await LiveClient.open(ctx, { key: tenant.keys.read });
    await client.subscribe(['activity']);
    // Six committed activities whose events get lost, duplicated and reordered on the way
    // (as NOTIFY between nodes, or two writers finishing in the other order, can do).
    const rows = await ctx.db.transaction((tx) =>
      appendActivities(tx, tenant.tenantId, range(1, 6).map((i) => ({ id: `w-${i}`, type: 'note', action_name: `note.${i}` }))),
    );
    const event = (seq: number) => ({ tenantId: tenant.tenantId, type: 'activity_created' as const, seq, data: rows[seq - 1] });
    ctx.services.bus.publish([event(3), event(1), event(3), event(6)]);
    await client.waitFor(() => activitySeqs(client).length >= 6);
    ctx.services.bus.publish([event(2), event(5)]);
    await call(ctx, tenant.keys.ingest, 'POST', '/activities', { id: 'w-7', type: 'note', action_name: 'note.7' });
    await client.waitFor(() => activitySeqs(client).length >= 7);
    await client.settle();
    expect(activitySeqs(client)).toEqual(range(1, 7));
    expect(client.of('activity_created').map((e) => e.data.id)).toEqual(range(1, 7).map((i) => `w-${i}`));
    await client.close();
  });
});

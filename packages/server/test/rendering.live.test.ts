import { describe, expect, it } from 'vitest';
import { claimDue } from '../src/domain/rendering/rendering.repository.ts';
import { startRenderWorker } from '../src/jobs/render-activities.ts';
import { createLogger } from '../src/logger.ts';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';
import { LiveClient, useLiveApp, useTwoNodes } from './realtime-helpers.ts';
import { eventually, settled } from './rendering-helpers.ts';

describe.each(BACKENDS)('activity_rendered on the socket on %s', (backend) => {
  const ctx = useLiveApp(backend);

  it('the activity channel carries activity_rendered at the activity seq, after its activity_created', async () => {
    const t = await createTenant(ctx);
    const client = await LiveClient.open(ctx, { key: t.keys.read });
    await client.subscribe(['activity']);
    const created = await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'Edit', data: { files: [{ name: 'a.ts', lines: 1 }] } });
    const rendered = await client.waitFor((items) => items.find((i) => i.type === 'activity_rendered'));
    expect(rendered).toEqual({
      type: 'activity_rendered',
      seq: created.body.seq,
      data: {
        id: created.body.id,
        processing_status: 'COMPLETED',
        schema_render: expect.objectContaining({ strategy: 'table', analyzer: 'builtin' }),
        processed_at: expect.any(String),
        processing_error: null,
        processing_attempts: 1,
      },
    });
    const order = client.items.filter((i) => i.type.startsWith('activity_')).map((i) => i.type);
    expect(order).toEqual(['activity_created', 'activity_rendered']);
    expect(client.of('activity_created')[0]!.data.processing_status).toBe('PENDING');
    await client.close();
  });

  it('a client subscribed only to runs does not get activity_rendered; another tenant neither', async () => {
    const t = await createTenant(ctx);
    const other = await createTenant(ctx);
    const runsOnly = await LiveClient.open(ctx, { key: t.keys.read });
    await runsOnly.subscribe(['runs']);
    const stranger = await LiveClient.open(ctx, { key: other.keys.read });
    await stranger.subscribe(['activity']);
    const watcher = await LiveClient.open(ctx, { key: t.keys.read });
    await watcher.subscribe(['activity']);
    await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'Edit', data: { n: 1 } });
    await watcher.waitFor((items) => items.find((i) => i.type === 'activity_rendered'));
    // Everything for the tenant went out together; a later event on the stranger's own tenant flushes its socket.
    await call(ctx, other.keys.both, 'POST', '/activities', { action_name: 'Own' });
    await stranger.waitFor((items) => items.find((i) => i.type === 'activity_created'));
    expect(stranger.of('activity_rendered')).toEqual([]);
    expect(runsOnly.of('activity_rendered')).toEqual([]);
    await Promise.all([runsOnly.close(), stranger.close(), watcher.close()]);
  });

  it('a reconnect with after_seq replays activities with their current status and render, and renders stored while away', async () => {
    const t = await createTenant(ctx);
    const first = await LiveClient.open(ctx, { key: t.keys.read });
    await first.subscribe(['activity']);
    // Seen while connected, but still PENDING as far as this client knows.
    const seen = await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'Seen', data: { tags: ['a', 'b'] } });
    await first.waitFor((items) => items.find((i) => i.type === 'activity_created'));
    await first.close();
    const lastSeen = seen.body.seq;
    const missed = [];
    for (const data of [{ n: 1, m: 2 }, { before: 'x', after: 'y' }]) missed.push((await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'Missed', data })).body);
    for (const a of [seen.body, ...missed]) await settled(ctx, t.keys.read, a.id);

    const second = await LiveClient.open(ctx, { key: t.keys.read });
    const ack = await second.subscribe(['activity'], lastSeen);
    expect(ack.replayed).toBe(2);
    const replayed = second.of('activity_created');
    expect(replayed.map((e) => [e.seq, e.data.processing_status, e.data.schema_render?.strategy])).toEqual([
      [missed[0].seq, 'COMPLETED', 'metric'],
      [missed[1].seq, 'COMPLETED', 'diff'],
    ]);
    const again = second.of('activity_rendered').find((e) => e.seq === lastSeen);
    expect(again?.data).toMatchObject({ id: seen.body.id, processing_status: 'COMPLETED', schema_render: { strategy: 'list' } });
    await second.close();
  });
});

describe.each(BACKENDS)('render worker recovery on %s', (backend) => {
  const ctx = useApp(backend, { rendering: { workers: 0 } });

  it('a job killed mid-PROCESSING is picked up again once its lease expires', async () => {
    const t = await createTenant(ctx);
    const created = await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'Edit', data: { file: 'a.ts', ok: true } });
    expect(created.body.processing_status).toBe('PENDING');
    // A worker claims it with a short lease and dies before storing anything.
    const claimed = await claimDue(ctx.db, 100, 1_000);
    expect(claimed.map((c) => c.id)).toContain(created.body.id);
    const stuck = await call(ctx, t.keys.read, 'GET', `/activities/${created.body.id}/processing`);
    expect(stuck.body).toMatchObject({ processing_status: 'PROCESSING', processing_attempts: 1 });
    expect((await call(ctx, t.keys.ingest, 'POST', `/activities/${created.body.id}/retry`)).status).toBe(409);

    const worker = startRenderWorker({
      db: ctx.db, bus: ctx.services.bus, logger: createLogger('silent'),
      ...ctx.rendering, settings: { ...ctx.rendering.settings, workers: 1, pollMs: 50 },
    });
    try {
      const done = await eventually(() => settled(ctx, t.keys.read, created.body.id), (a) => a.processing_status === 'COMPLETED');
      expect(done).toMatchObject({ processing_status: 'COMPLETED', processing_attempts: 2, schema_render: { strategy: 'key_value' } });
    } finally {
      await worker.stop();
    }
  });
});

describe.runIf(BACKENDS.includes('postgres'))('activity_rendered across nodes (PostgreSQL)', () => {
  const { a, b } = useTwoNodes();

  it('a client on node B hears the render of an activity written on node A', async () => {
    const t = await createTenant(a);
    const client = await LiveClient.open(b, { key: t.keys.read });
    await client.subscribe(['activity']);
    const created = await call(a, t.keys.both, 'POST', '/activities', { action_name: 'Edit', data: { latencies: [1, 2, 3] } });
    const rendered = await client.waitFor((items) => items.find((i) => i.type === 'activity_rendered'));
    expect(rendered).toMatchObject({ seq: created.body.seq, data: { id: created.body.id, processing_status: 'COMPLETED', schema_render: { strategy: 'chart' } } });
    await client.close();
  });
});

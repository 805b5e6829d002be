import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import { BACKENDS, call, createTenant, openTestDatabase } from './helpers.ts';
import { LiveClient, activitySeqs, range, useLiveApp } from './realtime-helpers.ts';

/** The TCP socket under a ws client: pausing it is a client that stops reading. */
const socketOf = (client: LiveClient) => (client.ws as unknown as { _socket: Socket })._socket;

describe.each(BACKENDS)('slow clients (%s)', (backend) => {
  const ctx = useLiveApp(backend, { queueLimit: 100, maxBufferedBytes: 128 * 1024, pingIntervalMs: 600_000 });

  it('a client that stops reading gets resync while a fast client receives everything', async () => {
    const tenant = await createTenant(ctx);
    const fast = await LiveClient.open(ctx, { key: tenant.keys.read });
    const slow = await LiveClient.open(ctx, { key: tenant.keys.read });
    await fast.subscribe(['activity', 'runs']);
    await slow.subscribe(['activity', 'runs']);
    socketOf(slow).pause();

    // ~10 MB of run events: more than the kernel's socket buffers hold for a reader that stopped.
    const payload = { blob: 'x'.repeat(50_000) };
    const total = 200;
    for (let i = 0; i < total; i += 4) {
      await Promise.all(range(i, i + 3).map((n) => call(ctx, tenant.keys.ingest, 'POST', '/runs', { id: `big-${n}`, input_data: payload })));
    }
    await fast.waitFor(() => activitySeqs(fast).length === total, 30_000);
    expect(activitySeqs(fast)).toEqual(range(1, total));
    expect(fast.of('resync')).toEqual([]);

    socketOf(slow).resume();
    const resync = await slow.waitFor((items) => items.find((i) => i.type === 'resync'), 30_000);
    expect(resync).toMatchObject({ type: 'resync', reason: 'slow_consumer' });
    await slow.settle();
    // It got an unbroken prefix up to last_seq, then nothing more: no live events after resync.
    const got = activitySeqs(slow);
    expect(got.length).toBeLessThan(total);
    expect(got).toEqual(range(1, resync.last_seq as number));
    expect(slow.items.at(-1)!.type).toBe('resync');

    // Subscribing again with after_seq replays the rest, then it is live again.
    await slow.subscribe(['activity', 'runs'], resync.last_seq as number);
    await call(ctx, tenant.keys.ingest, 'POST', '/runs', { id: 'after-resync' });
    await slow.waitFor(() => activitySeqs(slow).includes(total + 1), 30_000);
    await slow.settle();
    expect(activitySeqs(slow)).toEqual(range(1, total + 1));
    expect(fast.badFrames).toEqual([]);
    expect(slow.badFrames).toEqual([]);
    await fast.close();
    await slow.close();
  });
});

describe.each(BACKENDS)('replay limit and dead connections (%s)', (backend) => {
  const ctx = useLiveApp(backend, { maxReplay: 5, pingIntervalMs: 100 });

  it('a client too far behind is told to catch up over HTTP; a near one gets the replay', async () => {
    const tenant = await createTenant(ctx);
    for (const n of range(1, 10)) await call(ctx, tenant.keys.ingest, 'POST', '/runs', { id: `r-${n}` });
    const client = await LiveClient.open(ctx, { key: tenant.keys.read });
    client.send({ type: 'subscribe', channels: ['activity'], after_seq: 0 });
    const resync = await client.waitFor((items) => items.find((i) => i.type === 'resync'));
    expect(resync).toMatchObject({ reason: 'too_far_behind', last_seq: 0 });
    expect(resync.message).toMatch(/after_seq/);

    const ack = await client.subscribe(['activity'], 6);
    expect(ack).toMatchObject({ replayed: 4, last_seq: 10 });
    await client.waitFor(() => activitySeqs(client).length === 4);
    expect(activitySeqs(client)).toEqual([7, 8, 9, 10]);
    await client.close();
  });

  it('terminates a client that does not answer pings and keeps one that does', async () => {
    const tenant = await createTenant(ctx);
    const silent = await LiveClient.open(ctx, { key: tenant.keys.read }, { autoPong: false });
    const alive = await LiveClient.open(ctx, { key: tenant.keys.read });
    await silent.subscribe(['activity']);
    await alive.subscribe(['activity']);
    const started = Date.now();
    const closed = await silent.closed;
    expect(closed.code).toBe(1006); // cut without a close frame
    expect(Date.now() - started).toBeLessThan(2_000);

    const seen = alive.pings;
    await alive.waitFor(() => alive.pings >= seen + 5); // five more ping rounds
    expect(alive.ws.readyState).toBe(alive.ws.OPEN);
    await call(ctx, tenant.keys.ingest, 'POST', '/runs', { id: 'still-here' });
    await alive.waitFor(() => activitySeqs(alive).length === 1);
    await alive.close();
  });
});

describe('shutdown', () => {
  it('app.close() says goodbye to clients with 1001 and finishes promptly', async () => {
    const testDb = await openTestDatabase('pglite');
    const { app, services } = await buildApp({ db: testDb.db, logger: createLogger('silent') });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const tenant = await services.auth.ensureTenant('shutdown');
    const { key } = await services.auth.createKey({ tenantId: tenant.id, name: 'read', scopes: ['read'] });
    const client = await LiveClient.open({ wsUrl: address.replace(/^http/, 'ws') }, { key });
    await client.subscribe(['activity']);
    const started = Date.now();
    await app.close();
    expect(await client.closed).toMatchObject({ code: 1001 });
    expect(Date.now() - started).toBeLessThan(3_000);
    await testDb.drop();
  });
});

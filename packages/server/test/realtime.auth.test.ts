import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant } from './helpers.ts';
import { LiveClient, useLiveApp } from './realtime-helpers.ts';

async function refused(promise: Promise<unknown>): Promise<{ status: number; body: any }> {
  try {
    await promise;
  } catch (err) {
    const { status, body } = err as { status?: number; body?: unknown };
    if (status !== undefined) return { status, body };
    throw err;
  }
  throw new Error('the upgrade was accepted');
}

describe.each(BACKENDS)('WebSocket authentication and protocol (%s)', (backend) => {
  const ctx = useLiveApp(backend);

  it('refuses an upgrade without credentials, with an unknown key, or without the read scope', async () => {
    const tenant = await createTenant(ctx);
    const none = await refused(LiveClient.open(ctx));
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('unauthorized');
    expect((await refused(LiveClient.open(ctx, { key: 'rlk_not-a-real-key-0000000000000000000000' }))).status).toBe(401);
    const ingestOnly = await refused(LiveClient.open(ctx, { key: tenant.keys.ingest }));
    expect(ingestOnly.status).toBe(403);
    expect(ingestOnly.body.details.required_scope).toBe('read');

    const client = await LiveClient.open(ctx, { key: tenant.keys.read });
    const ack = await client.subscribe(['activity']);
    expect(ack).toMatchObject({ type: 'subscribed', channels: ['activity'], after_seq: null, last_seq: 0, replayed: 0 });
    await client.close();
  });

  it('a ticket from POST /ws-ticket opens one connection, once', async () => {
    const tenant = await createTenant(ctx);
    const issued = await call(ctx, tenant.keys.read, 'POST', '/ws-ticket');
    expect(issued.status).toBe(201);
    expect(issued.body.ticket).toMatch(/^rlt_/);
    const ttl = new Date(issued.body.expires_at).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(30_000);
    expect(ttl).toBeLessThanOrEqual(61_000);

    const client = await LiveClient.open(ctx, { ticket: issued.body.ticket });
    await client.subscribe(['activity']);
    const again = await refused(LiveClient.open(ctx, { ticket: issued.body.ticket }));
    expect(again.status).toBe(401);
    expect(again.body.message).toMatch(/ticket/);

    // The ticket's connection hears its tenant: a write shows up on it.
    await call(ctx, tenant.keys.ingest, 'POST', '/runs', { id: 'ticketed-run' });
    const event = await client.waitFor((items) => items.find((i) => i.type === 'activity_created'));
    expect(event.data.run_id).toBe('ticketed-run');
    await client.close();
  });

  it('rejects unknown and expired tickets, and tickets need a read key', async () => {
    const tenant = await createTenant(ctx);
    expect((await refused(LiveClient.open(ctx, { ticket: 'rlt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }))).status).toBe(401);
    expect((await refused(LiveClient.open(ctx, { ticket: 'garbage' }))).status).toBe(401);

    const issued = await call(ctx, tenant.keys.read, 'POST', '/ws-ticket');
    // A minute passes: the ticket's expiry (set by the database clock) is now behind us.
    await ctx.db.query(`UPDATE ws_tickets SET expires_at = now() - interval '1 second' WHERE tenant_id = $1`, [tenant.tenantId]);
    expect((await refused(LiveClient.open(ctx, { ticket: issued.body.ticket }))).status).toBe(401);

    expect((await call(ctx, null, 'POST', '/ws-ticket')).status).toBe(401);
    expect((await call(ctx, tenant.keys.ingest, 'POST', '/ws-ticket')).status).toBe(403);
    expect((await call(ctx, tenant.keys.admin, 'POST', '/ws-ticket')).status).toBe(201);
  });

  it('a plain GET /ws (no upgrade) is told to upgrade', async () => {
    const tenant = await createTenant(ctx);
    const res = await ctx.app.inject({ method: 'GET', url: '/ws', headers: { authorization: `Bearer ${tenant.keys.read}` } });
    expect(res.statusCode).toBe(426);
  });

  it("a client never receives another tenant's events", async () => {
    const a = await createTenant(ctx);
    const b = await createTenant(ctx);
    const clientA = await LiveClient.open(ctx, { key: a.keys.read });
    const clientB = await LiveClient.open(ctx, { key: b.keys.read });
    await clientA.subscribe(['activity', 'runs', 'run:shared-id']);
    await clientB.subscribe(['activity', 'runs', 'run:shared-id']);

    // The same run id in both tenants: each client must see only its own.
    await call(ctx, b.keys.ingest, 'POST', '/runs', { id: 'shared-id', work_unit_name: 'tenant-b-agent' });
    await call(ctx, a.keys.ingest, 'POST', '/runs', { id: 'shared-id', work_unit_name: 'tenant-a-agent' });
    await call(ctx, b.keys.ingest, 'POST', '/runs/shared-id/start');
    await clientB.waitFor((items) => items.filter((i) => i.type === 'activity_created').length === 2);
    await clientA.waitFor((items) => items.some((i) => i.type === 'activity_created'));
    await call(ctx, a.keys.ingest, 'POST', '/runs', { id: 'a-marker' });
    await clientA.waitFor((items) => items.some((i) => i.data?.run_id === 'a-marker'));

    const names = (client: LiveClient) => client.items.filter((i) => i.type === 'run_updated').map((i) => i.data.work_unit_name);
    expect(new Set(names(clientA))).toEqual(new Set(['tenant-a-agent', null]));
    expect(new Set(names(clientB))).toEqual(new Set(['tenant-b-agent']));
    expect(clientA.of('activity_created').every((e) => e.data.target_name !== 'tenant-b-agent')).toBe(true);
    expect(JSON.stringify(clientA.items)).not.toContain(b.tenantId);
    expect(clientA.of('activity_created')).toHaveLength(2);
    await clientA.close();
    await clientB.close();
  });

  it('answers bad messages with an error and keeps the connection open', async () => {
    const tenant = await createTenant(ctx);
    const client = await LiveClient.open(ctx, { key: tenant.keys.read });
    const errors = () => client.of('error');
    const sendAndWait = async (message: unknown, binary = false) => {
      const before = errors().length;
      if (binary) client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      else client.send(message);
      return client.waitFor(() => errors().length > before && errors()[before]);
    };
    expect(await sendAndWait('{not json')).toMatchObject({ error: 'invalid_json' });
    expect(await sendAndWait({ type: 'dance' })).toMatchObject({ error: 'unknown_type' });
    expect(await sendAndWait({ type: 'subscribe', channels: ['everything'] })).toMatchObject({ error: 'invalid_message' });
    expect(await sendAndWait({ type: 'subscribe', channels: [] })).toMatchObject({ error: 'invalid_message' });
    expect(await sendAndWait({ type: 'subscribe', channels: Array.from({ length: 101 }, (_, i) => `run:r${i}`) }))
      .toMatchObject({ error: 'invalid_message', message: expect.stringMatching(/at most 100/) });
    expect(await sendAndWait({ type: 'subscribe', channels: ['activity'], after_seq: -1 })).toMatchObject({ error: 'invalid_message' });
    expect(await sendAndWait({ type: 'subscribe', channels: ['activity'], tenant_id: 'x' })).toMatchObject({ error: 'invalid_message' });
    expect(await sendAndWait({ type: 'subscribe', channels: ['activity'], pad: 'x'.repeat(20_000) })).toMatchObject({ error: 'message_too_large' });
    expect(await sendAndWait(null, true)).toMatchObject({ error: 'invalid_message' });

    // Still open and usable.
    await client.subscribe(['activity']);
    await call(ctx, tenant.keys.ingest, 'POST', '/runs', { id: 'after-errors' });
    await client.waitFor((items) => items.some((i) => i.type === 'activity_created'));
    expect(client.badFrames).toEqual([]);
    await client.close();
  });
});

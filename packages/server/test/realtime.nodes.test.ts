import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../src/db/postgres.ts';
import { channelFor } from '../src/realtime/notify-bridge.ts';
import { call, createTenant, openTestDatabase, type TestContext } from './helpers.ts';
import { LiveClient, activitySeqs, listen, range, sleep, useTwoNodes } from './realtime-helpers.ts';

/**
 * Writes a marker activity through each node and waits until every client has them all: what
 * either node published before has then reached the clients (a node's notifications keep
 * their order), so what they hold can be compared. Adds one activity per node.
 */
async function barrier(key: string, nodes: TestContext[], clients: LiveClient[]): Promise<void> {
  const ids: string[] = [];
  for (const node of nodes) {
    const id = `barrier-${Math.random().toString(36).slice(2, 10)}`;
    expect((await call(node, key, 'POST', '/activities', { id, type: 'note', action_name: 'barrier' })).status).toBe(201);
    ids.push(id);
  }
  await Promise.all(clients.map((client) => client.waitFor((items) =>
    ids.every((id) => items.some((i) => i.type === 'activity_created' && i.data.id === id)), 15_000)));
}

/** Two `runlog serve` nodes on one PostgreSQL: a client on A sees what is written through B (SPEC §1, §5). */
describe.skipIf(!process.env.DATABASE_URL)('two nodes over LISTEN/NOTIFY (postgres)', () => {
  // No periodic sweep: delivery here rests on NOTIFY alone, and on the catch-up after a reconnect.
  const { a, b } = useTwoNodes({ sweepIntervalMs: 0 });

  it('a client on node A receives, in order and once, everything written through node B', async () => {
    const tenant = await createTenant(a);
    const onA = await LiveClient.open(a, { key: tenant.keys.read });
    await onA.subscribe(['activity', 'runs']);

    // Concurrent writers on B, plus a large activity whose event is too big for NOTIFY (sent as a reference).
    const writes = range(1, 60).map((i) =>
      i % 2 === 0
        ? call(b, tenant.keys.ingest, 'POST', '/runs', { id: `b-run-${i}` })
        : call(b, tenant.keys.ingest, 'POST', '/activities', { id: `b-act-${i}`, type: 'note', action_name: 'note.added', data: i === 31 ? { big: 'y'.repeat(20_000) } : { i } }),
    );
    expect((await Promise.all(writes)).every((r) => r.status === 201)).toBe(true);
    await call(b, tenant.keys.ingest, 'POST', '/runs/b-run-2/start');
    await call(b, tenant.keys.ingest, 'POST', '/runs/b-run-2/steps', { steps: [{ step_index: 0, kind: 'llm', skill_name: 'plan' }] });

    await onA.waitFor(() => activitySeqs(onA).length >= 61, 20_000);
    await onA.waitFor((items) => items.some((i) => i.type === 'step_added'));
    await barrier(tenant.keys.ingest, [a, b], [onA]);
    expect(activitySeqs(onA)).toEqual(range(1, 63));
    const stored = await call(a, tenant.keys.read, 'GET', '/activities?after_seq=0&limit=100');
    expect(onA.of('activity_created').map((e) => e.data.id)).toEqual(stored.body.activities.map((x: { id: string }) => x.id));
    expect(onA.of('activity_created').find((e) => e.data.id === 'b-act-31')!.data.data.big).toHaveLength(20_000);
    const runUpdates = onA.of('run_updated');
    expect(runUpdates).toHaveLength(31);
    expect(runUpdates.at(-1)!.data).toMatchObject({ id: 'b-run-2', status: 'running' });
    expect(onA.of('step_added')).toEqual([
      expect.objectContaining({ data: { run_id: 'b-run-2', steps: [expect.objectContaining({ step_index: 0, skill_name: 'plan' })] } }),
    ]);
    expect(onA.badFrames).toEqual([]);
    await onA.close();
  });

  it('writes on both nodes at once reach clients on both nodes in the same order', async () => {
    const tenant = await createTenant(a);
    const onA = await LiveClient.open(a, { key: tenant.keys.read });
    const onB = await LiveClient.open(b, { key: tenant.keys.read });
    await onA.subscribe(['activity']);
    await onB.subscribe(['activity']);
    const writes = range(1, 80).map((i) => call(i % 2 ? a : b, tenant.keys.ingest, 'POST', '/runs', { id: `mixed-${i}` }));
    await Promise.all(writes);
    await onA.waitFor(() => activitySeqs(onA).length >= 80, 20_000);
    await onB.waitFor(() => activitySeqs(onB).length >= 80, 20_000);
    await barrier(tenant.keys.ingest, [a, b], [onA, onB]);
    expect(activitySeqs(onA)).toEqual(range(1, 82));
    expect(activitySeqs(onB)).toEqual(range(1, 82));
    expect(onA.of('activity_created').map((e) => e.data.id)).toEqual(onB.of('activity_created').map((e) => e.data.id));
    await onA.close();
    await onB.close();
  });

  it('single writes (group commit) and /ingest batches on both nodes give every client consecutive seqs in one order', async () => {
    const tenant = await createTenant(a);
    const onA = await LiveClient.open(a, { key: tenant.keys.read });
    const onB = await LiveClient.open(b, { key: tenant.keys.read });
    await onA.subscribe(['activity']);
    await onB.subscribe(['activity']);
    const note = (id: string) => ({ type: 'activity.create', id, body: { type: 'note', action_name: 'note.added' } });
    const writes = range(1, 60).map((i) => {
      const node = i % 2 ? a : b;
      if (i % 5 === 0) return call(node, tenant.keys.ingest, 'POST', '/ingest', { items: [note(`batch-${i}-1`), note(`batch-${i}-2`), note(`batch-${i}-3`)] });
      return i % 3 === 0
        ? call(node, tenant.keys.ingest, 'POST', '/runs', { id: `single-run-${i}` })
        : call(node, tenant.keys.ingest, 'POST', '/activities', { id: `single-${i}`, type: 'note', action_name: 'note.added' });
    });
    const answers = await Promise.all(writes);
    expect(answers.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    const total = 48 + 12 * 3; // 48 single writes, 12 batches of 3
    await onA.waitFor(() => activitySeqs(onA).length >= total, 20_000);
    await onB.waitFor(() => activitySeqs(onB).length >= total, 20_000);
    await barrier(tenant.keys.ingest, [a, b], [onA, onB]);
    expect(activitySeqs(onA)).toEqual(range(1, total + 2));
    expect(activitySeqs(onB)).toEqual(range(1, total + 2));
    const stored = await call(a, tenant.keys.read, 'GET', `/activities?after_seq=0&limit=${total + 2}`);
    expect(onA.of('activity_created').map((e) => e.data.id)).toEqual(stored.body.activities.map((x: { id: string }) => x.id));
    expect(onB.of('activity_created').map((e) => e.data.id)).toEqual(stored.body.activities.map((x: { id: string }) => x.id));
    await onA.close();
    await onB.close();
  });

  it('a ticket issued on one node opens a connection on the other, once', async () => {
    const tenant = await createTenant(a);
    const issued = await call(a, tenant.keys.read, 'POST', '/ws-ticket');
    const onB = await LiveClient.open(b, { ticket: issued.body.ticket });
    await onB.subscribe(['activity']);
    await expect(LiveClient.open(a, { ticket: issued.body.ticket })).rejects.toMatchObject({ status: 401 });
    await onB.close();
  });

  it("after node A's LISTEN connection is cut, it reconnects and its client still gets every write, once", async () => {
    const tenant = await createTenant(a);
    const onA = await LiveClient.open(a, { key: tenant.keys.read });
    await onA.subscribe(['activity']);
    for (const i of range(1, 5)) await call(b, tenant.keys.ingest, 'POST', '/runs', { id: `before-${i}` });
    await onA.waitFor(() => activitySeqs(onA).length === 5);

    const cut = await a.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1`, [`runlog-listen:%:${a.nodeId}`]);
    expect(cut.rowCount).toBe(1);
    // Written while A is not listening: these notifications are lost to A.
    for (const i of range(1, 5)) await call(b, tenant.keys.ingest, 'POST', '/runs', { id: `during-${i}` });
    await onA.waitFor(() => activitySeqs(onA).length >= 10, 15_000);
    for (const i of range(1, 5)) await call(b, tenant.keys.ingest, 'POST', '/runs', { id: `after-${i}` });
    await onA.waitFor(() => activitySeqs(onA).length >= 15, 15_000);
    await barrier(tenant.keys.ingest, [a, b], [onA]);
    expect(activitySeqs(onA)).toEqual(range(1, 17));
    await onA.close();
  });
});

describe.skipIf(!process.env.DATABASE_URL)('a node alone on its PostgreSQL schema (postgres)', () => {
  it('sends no NOTIFY for events a seq recovers until another node says hello; then a client there gets every write', async () => {
    const testDb = await openTestDatabase('postgres');
    const second = openPostgres({ url: process.env.DATABASE_URL!, schema: testDb.schema, max: 5 });
    const spy = new pg.Client({ connectionString: process.env.DATABASE_URL!, application_name: 'notify-spy' });
    const heard: string[] = [];
    const a = await listen(testDb.db, 'postgres', testDb.schema, { nodeId: 'lone-a', sweepIntervalMs: 0 });
    let b: Awaited<ReturnType<typeof listen>> | null = null;
    try {
      await spy.connect();
      spy.on('notification', (message) => heard.push(message.payload ?? ''));
      await spy.query(`LISTEN "${channelFor(testDb.schema)}"`);
      const tenant = await createTenant(a);
      for (const i of range(1, 3)) expect((await call(a, tenant.keys.ingest, 'POST', '/runs', { id: `alone-${i}` })).status).toBe(201);
      await call(a, tenant.keys.ingest, 'POST', '/runs/alone-1/steps', { steps: [{ step_index: 0, kind: 'llm', skill_name: 'plan' }] });
      // The step_added notification is the last one sent: once the spy has it, it has all of them.
      for (let i = 0; i < 250 && !heard.some((p) => p.includes('step_added')); i++) await sleep(20);
      // Alone: only the event no seq recovers (step_added) went out.
      expect(heard.filter((p) => p.includes('"lone-a"')).flatMap((p) => JSON.parse(p).e.map((e: { y: string }) => e.y))).toEqual(['step_added']);

      b = await listen(second, 'postgres', testDb.schema, { nodeId: 'lone-b', sweepIntervalMs: 0 });
      for (let i = 0; i < 100 && !heard.some((p) => p.includes('"lone-b"') && p.includes('"hello":true')); i++) await sleep(20);
      expect(heard.some((p) => p.includes('"lone-b"') && p.includes('"hello":true'))).toBe(true);
      const onB = await LiveClient.open(b, { key: tenant.keys.read });
      await onB.subscribe(['activity'], 0);
      for (const i of range(4, 6)) await call(a, tenant.keys.ingest, 'POST', '/runs', { id: `alone-${i}` });
      await onB.waitFor(() => activitySeqs(onB).length >= 6, 10_000);
      await barrier(tenant.keys.ingest, [a], [onB]);
      expect(activitySeqs(onB)).toEqual(range(1, 7));
      expect(heard.some((p) => p.includes('"lone-a"') && p.includes('activity_created'))).toBe(true);
      await onB.close();
    } finally {
      await spy.end().catch(() => {});
      await b?.app.close();
      await a.app.close();
      await second.close();
      await testDb.drop();
    }
  });
});

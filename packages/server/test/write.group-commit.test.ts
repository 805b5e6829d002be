import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { AuthContext } from '../src/domain/auth/auth.types.ts';
import type { Intent } from '../src/domain/write/intents.ts';
import { BACKENDS, call, createTenant, useApp, type TestContext } from './helpers.ts';

/** Intents given in one synchronous burst land in one group: the group is formed on the next tick at the earliest. */
function burst(ctx: TestContext, intents: Intent[]) {
  return Promise.allSettled(intents.map((intent) => ctx.services.writes.submit(intent)));
}

async function groupsCommitted(ctx: TestContext): Promise<number> {
  const text = (await ctx.app.inject({ method: 'GET', url: '/metrics' })).body;
  return Number(/^runlog_write_group_size_count (\d+)/m.exec(text)?.[1] ?? 0);
}

const authOf = (tenantId: string): AuthContext => ({ tenantId, keyId: 'test', scopes: ['ingest', 'read'], userId: null, projectId: null });
const note = (auth: AuthContext, id: string, extra: Record<string, unknown> = {}): Intent =>
  ({ type: 'activity.create', id, body: { type: 'note', action_name: 'note.added', ...extra }, auth, at: '' });

describe.each(BACKENDS)('group commit on %s', (backend) => {
  const ctx = useApp(backend, { write: { windowMs: 20 } });

  it('answers each member of a group on its own: bad intents fail alone, good ones commit together', async () => {
    const t = await createTenant(ctx);
    const auth = authOf(t.tenantId);
    expect((await call(ctx, t.keys.ingest, 'POST', '/runs', { id: 'done' })).status).toBe(201);
    await call(ctx, t.keys.ingest, 'POST', '/runs/done/cancel', {});
    const before = await groupsCommitted(ctx);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const results = await burst(ctx, [
      note(auth, 'g-1'),
      { type: 'run.create', id: 'g-run', body: {}, auth, at: '' },
      { type: 'run.start', id: 'missing', body: {}, auth, at: '' },
      note(auth, 'g-2', { occurred_at: future }),
      { type: 'run.start', id: 'done', body: {}, auth, at: '' },
      { type: 'steps.append', id: 'g-run', body: { steps: [{ step_index: 0, kind: 'llm' }] }, auth, at: '' },
      note(auth, 'g-3'),
    ]);
    expect(await groupsCommitted(ctx)).toBe(before + 1);
    const answers = results.map((r) => (r.status === 'fulfilled' ? [r.value.status, r.value.error ?? null] : ['rejected', null]));
    expect(answers).toEqual([
      [201, null], [201, null], [404, 'not_found'], [400, 'validation_error'], [409, 'illegal_transition'], [200, null], [201, null],
    ]);
    const [first, , , , , steps, last] = results.map((r) => (r as PromiseFulfilledResult<any>).value);
    expect(steps.steps).toEqual({ inserted: 1, duplicates: 0 });
    // The run's creation (creates apply first), then g-1 and g-3: consecutive seqs after the two of 'done'.
    expect([first.activity.seq, last.activity.seq]).toEqual([4, 5]);
    const feed = await call(ctx, t.keys.read, 'GET', '/activities?after_seq=0');
    expect(feed.body.activities.map((a: { id: string }) => a.id)).toContain('g-3');
    expect(feed.body.activities.map((a: { id: string }) => a.id)).not.toContain('g-2');
  });

  it('coalesces concurrent REST calls: each gets its own status and body', async () => {
    const t = await createTenant(ctx);
    await call(ctx, t.keys.ingest, 'GET', '/runs'); // the key is verified and cached before the burst
    const posts = Array.from({ length: 20 }, (_, i) =>
      call(ctx, t.keys.ingest, 'POST', '/activities', i === 7 ? { id: 'bad', type: 'note', action_name: 'x', occurred_at: '2999-01-01T00:00:00Z' } : { id: `rest-${i}`, type: 'note', action_name: 'note.added' }));
    const answers = await Promise.all(posts);
    expect(answers.map((a) => a.status)).toEqual(answers.map((_, i) => (i === 7 ? 400 : 201)));
    expect(answers[7]!.body).toMatchObject({ error: 'validation_error', details: { field: 'occurred_at' } });
    expect(answers.filter((a) => a.status === 201).map((a) => a.body.id).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `rest-${i}`).filter((id) => id !== 'rest-7').sort());
    const seqs = answers.filter((a) => a.status === 201).map((a) => a.body.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
  });

  it('a group whose commit fails answers every member with the error and writes nothing', async () => {
    const t = await createTenant(ctx);
    const auth = authOf(t.tenantId);
    // A check PostgreSQL makes only at COMMIT: the group's transaction fails after every statement succeeded.
    await ctx.db.exec(`
      CREATE OR REPLACE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action_name = 'refused.at.commit' THEN RAISE EXCEPTION 'refused at commit'; END IF;
        RETURN NULL;
      END $$;
      DROP TRIGGER IF EXISTS refuse_at_commit ON activities;
      CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON activities DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION refuse_at_commit();`);
    const results = await burst(ctx, [note(auth, 'f-1'), note(auth, 'f-2', { action_name: 'refused.at.commit' }), { type: 'run.create', id: 'f-run', body: {}, auth, at: '' }]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason.message)).toContain('refused at commit');
    expect((await call(ctx, t.keys.read, 'GET', '/activities?after_seq=0')).body.activities).toEqual([]);
    expect((await call(ctx, t.keys.read, 'GET', '/runs/f-run')).status).toBe(404);
    // The next group of the tenant is unaffected, and its seqs start where nothing was used.
    const next = await call(ctx, t.keys.ingest, 'POST', '/activities', { id: 'f-3', type: 'note', action_name: 'note.added' });
    expect(next.status).toBe(201);
    expect(next.body.seq).toBe(1);
  });

  it('a client that hangs up while its group is open does not disturb the others; its write still commits once', async () => {
    const t = await createTenant(ctx);
    await call(ctx, t.keys.ingest, 'GET', '/runs');
    const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' }).catch(() => `http://127.0.0.1:${(ctx.app.server.address() as { port: number }).port}`);
    const body = JSON.stringify({ id: 'hung-up', type: 'note', action_name: 'note.added' });
    await new Promise<void>((resolve) => {
      const req = request(`${address}/api/v1/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.keys.ingest}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      req.on('error', () => resolve());
      req.end(body, () => setImmediate(() => { req.destroy(); resolve(); }));
    });
    const others = await Promise.all(Array.from({ length: 5 }, (_, i) =>
      call(ctx, t.keys.ingest, 'POST', '/activities', { id: `stayed-${i}`, type: 'note', action_name: 'note.added' })));
    expect(others.map((o) => o.status)).toEqual([201, 201, 201, 201, 201]);
    let stored: { id: string }[] = [];
    for (let i = 0; i < 50 && !stored.some((a) => a.id === 'hung-up'); i++) {
      stored = (await call(ctx, t.keys.read, 'GET', '/activities?after_seq=0')).body.activities;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stored.filter((a) => a.id === 'hung-up')).toHaveLength(1);
    expect(stored.map((a: any) => a.seq)).toEqual(stored.map((_, i) => i + 1));
  });
});

import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';

describe.each(BACKENDS)('run lifecycle on %s', (backend) => {
  const ctx = useApp(backend);

  it('walks pending → running → completed and records an activity per transition', async () => {
    const t = await createTenant(ctx);
    const created = await call(ctx, t.keys.both, 'POST', '/runs', { id: 'run-a', work_unit_id: 'wu-1', work_unit_name: 'Triage', user_id: 'alice' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'run-a', status: 'pending', state: 'LIVE', started_at: null, user_id: 'alice' });
    expect(created.body).not.toHaveProperty('tenant_id');

    const started = await call(ctx, t.keys.both, 'POST', '/runs/run-a/start');
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ status: 'running', state: 'LIVE' });
    expect(started.body.started_at).not.toBeNull();

    const done = await call(ctx, t.keys.both, 'POST', '/runs/run-a/complete', { output_data: { answer: 42 } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', state: 'COMPLETED', output_data: { answer: 42 } });
    expect(done.body.duration_ms).toBe(new Date(done.body.completed_at).getTime() - new Date(done.body.started_at).getTime());
    expect(new Date(done.body.last_seen_at).getTime()).toBeGreaterThanOrEqual(new Date(done.body.completed_at).getTime());

    const { rows } = await ctx.db.query<{ type: string; action_name: string; status: string; seq: number }>(
      `SELECT type, action_name, status, seq FROM activities WHERE tenant_id = $1 AND run_id = 'run-a' ORDER BY seq`,
      [t.tenantId],
    );
    expect(rows.map((r) => [r.type, r.action_name, r.status])).toEqual([
      ['run', 'run.created', 'pending'],
      ['run', 'run.started', 'running'],
      ['completion', 'run.completed', 'completed'],
    ]);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('answers each transition with the run exactly as stored (the write does not read rows back whole)', async () => {
    const t = await createTenant(ctx);
    const created = await call(ctx, t.keys.both, 'POST', '/runs', {
      id: 'as-stored', agent_id: 'agent-s', input_data: { zeta: 1, a: [1, 2] }, metadata: { team: 'core' },
    });
    const stored = async () => (await call(ctx, t.keys.both, 'GET', '/runs/as-stored')).body;
    expect(created.body).toEqual(await stored());
    const started = await call(ctx, t.keys.both, 'POST', '/runs/as-stored/start');
    expect(started.body).toEqual(await stored());
    // A cost finer than the column keeps (8 decimals) and output the database stores as jsonb.
    const done = await call(ctx, t.keys.both, 'POST', '/runs/as-stored/complete', {
      input_tokens: 1_000, output_tokens: 100, estimated_cost_usd: 0.123456789123, output_data: { zeta: 'last', b: { y: 2, a: 1 } },
    });
    expect(done.status).toBe(200);
    expect(done.body.estimated_cost_usd).toBe(0.12345679);
    expect(done.body).toMatchObject({ evidence_health: 'HEALTHY', risk_level: 'OK', latency_bucket: 'NORMAL' });
    expect(done.body).toEqual(await stored());
  });

  it('fails and cancels from pending or running, mapping to error and cancellation activities', async () => {
    const t = await createTenant(ctx);
    await call(ctx, t.keys.both, 'POST', '/runs', { id: 'f1' });
    const failed = await call(ctx, t.keys.both, 'POST', '/runs/f1/fail', { error: 'boom', error_type: 'ValueError' });
    expect(failed.body).toMatchObject({ status: 'failed', state: 'COMPLETED', error: 'boom', error_type: 'ValueError', duration_ms: null });

    await call(ctx, t.keys.both, 'POST', '/runs', { id: 'c1', status: 'running' });
    const cancelled = await call(ctx, t.keys.both, 'POST', '/runs/c1/cancel', { reason: 'user stopped it' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', error: 'user stopped it' });
    expect(cancelled.body.duration_ms).toBeGreaterThanOrEqual(0);

    const { rows } = await ctx.db.query<{ run_id: string; type: string }>(
      `SELECT run_id, type FROM activities WHERE tenant_id = $1 AND type IN ('error', 'cancellation') ORDER BY seq`,
      [t.tenantId],
    );
    expect(rows).toEqual([{ run_id: 'f1', type: 'error' }, { run_id: 'c1', type: 'cancellation' }]);
  });

  it('answers 409 with the current status for every illegal transition', async () => {
    const t = await createTenant(ctx);
    const illegal: Array<[string, string[], string]> = [
      // [status to reach, path to reach it, action that must be refused]
      ['pending', [], 'complete'],
      ['running', ['start'], 'start-again-is-ok'],
      ['completed', ['start', 'complete'], 'start'],
      ['completed', ['start', 'complete'], 'fail'],
      ['completed', ['start', 'complete'], 'cancel'],
      ['completed', ['start', 'complete'], 'heartbeat'],
      ['failed', ['fail'], 'start'],
      ['failed', ['fail'], 'complete'],
      ['failed', ['fail'], 'cancel'],
      ['failed', ['fail'], 'heartbeat'],
      ['cancelled', ['cancel'], 'start'],
      ['cancelled', ['cancel'], 'complete'],
      ['cancelled', ['cancel'], 'fail'],
      ['cancelled', ['cancel'], 'heartbeat'],
    ];
    let n = 0;
    for (const [status, path, action] of illegal) {
      const id = `ill-${n++}`;
      await call(ctx, t.keys.both, 'POST', '/runs', { id });
      for (const step of path) expect((await call(ctx, t.keys.both, 'POST', `/runs/${id}/${step}`)).status).toBe(200);
      if (action === 'start-again-is-ok') {
        expect((await call(ctx, t.keys.both, 'POST', `/runs/${id}/start`)).status).toBe(200);
        continue;
      }
      const res = await call(ctx, t.keys.both, 'POST', `/runs/${id}/${action}`);
      expect(res.status, `${action} from ${status}`).toBe(409);
      expect(res.body).toMatchObject({ error: 'illegal_transition', details: { status } });
      const after = await call(ctx, t.keys.both, 'GET', `/runs/${id}`);
      expect(after.body.status).toBe(status);
    }
  });

  it('makes create idempotent on id and external_id, and repeated end requests a no-op', async () => {
    const t = await createTenant(ctx);
    const first = await call(ctx, t.keys.both, 'POST', '/runs', { id: 'idem', work_unit_name: 'A' });
    const again = await call(ctx, t.keys.both, 'POST', '/runs', { id: 'idem', work_unit_name: 'A' });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.created_at).toBe(first.body.created_at);

    const ext1 = await call(ctx, t.keys.both, 'POST', '/runs', { external_id: 'job-77' });
    const ext2 = await call(ctx, t.keys.both, 'POST', '/runs', { external_id: 'job-77' });
    expect([ext1.status, ext2.status]).toEqual([201, 200]);
    expect(ext2.body.id).toBe(ext1.body.id);

    await call(ctx, t.keys.both, 'POST', '/runs/idem/start');
    const body = { output_data: { ok: true }, input_tokens: 10, output_tokens: 5 };
    const done1 = await call(ctx, t.keys.both, 'POST', '/runs/idem/complete', body);
    const done2 = await call(ctx, t.keys.both, 'POST', '/runs/idem/complete', { output_tokens: 5, input_tokens: 10, output_data: { ok: true } });
    expect(done2.status).toBe(200);
    expect(done2.body.updated_at).toBe(done1.body.updated_at);
    const different = await call(ctx, t.keys.both, 'POST', '/runs/idem/complete', { output_data: { ok: false } });
    expect(different.status).toBe(409);

    const { rows } = await ctx.db.query<{ n: number }>(
      `SELECT count(*) AS n FROM activities WHERE tenant_id = $1 AND run_id IN ('idem', $2)`,
      [t.tenantId, ext1.body.id],
    );
    expect(rows[0]!.n).toBe(4); // idem: created, started, completed; job-77: created
  });

  it('moves last_seen_at on heartbeat and steps', async () => {
    const t = await createTenant(ctx);
    const run = (await call(ctx, t.keys.both, 'POST', '/runs', { id: 'hb', status: 'running', started_at: new Date(Date.now() - 60_000).toISOString() })).body;
    await new Promise((r) => setTimeout(r, 5));
    const beat = await call(ctx, t.keys.both, 'POST', '/runs/hb/heartbeat');
    expect(beat.status).toBe(200);
    expect(new Date(beat.body.last_seen_at).getTime()).toBeGreaterThan(new Date(run.last_seen_at).getTime());
    await new Promise((r) => setTimeout(r, 5));
    await call(ctx, t.keys.both, 'POST', '/runs/hb/steps', { steps: [{ step_index: 0 }] });
    const after = await call(ctx, t.keys.both, 'GET', '/runs/hb');
    expect(new Date(after.body.last_seen_at).getTime()).toBeGreaterThan(new Date(beat.body.last_seen_at).getTime());
  });

  it('appends steps idempotently per step_index and lists them in order', async () => {
    const t = await createTenant(ctx);
    await call(ctx, t.keys.both, 'POST', '/runs', { id: 's', status: 'running', trace_id: 'tr-1' });
    const steps = [2, 0, 1].map((i) => ({ step_index: i, kind: 'tool', skill_name: `tool-${i}`, duration_ms: 10 * i }));
    const first = await call(ctx, t.keys.both, 'POST', '/runs/s/steps', { steps });
    expect(first.body).toEqual({ run_id: 's', inserted: 3, duplicates: 0 });
    const resend = await call(ctx, t.keys.both, 'POST', '/runs/s/steps', { steps: [...steps, { step_index: 3 }] });
    expect(resend.body).toEqual({ run_id: 's', inserted: 1, duplicates: 3 });

    const page1 = await call(ctx, t.keys.both, 'GET', '/runs/s/steps?limit=2');
    expect(page1.body.steps.map((s: { step_index: number }) => s.step_index)).toEqual([0, 1]);
    expect(page1.body.steps[1]).toMatchObject({ skill_name: 'tool-1', kind: 'tool', trace_id: 'tr-1', duration_ms: 10 });
    const page2 = await call(ctx, t.keys.both, 'GET', `/runs/s/steps?limit=2&after_index=${page1.body.next_after_index}`);
    expect(page2.body.steps.map((s: { step_index: number }) => s.step_index)).toEqual([2, 3]);
    expect((await call(ctx, t.keys.both, 'GET', '/runs/s/steps?after_index=3')).body).toEqual({ steps: [], next_after_index: null });
  });

  it('returns the caller’s recent runs', async () => {
    const t = await createTenant(ctx);
    for (const [id, user] of [['r1', 'ann'], ['r2', 'bob'], ['r3', 'ann']]) {
      await call(ctx, t.keys.both, 'POST', '/runs', { id, user_id: user });
    }
    const ann = await call(ctx, t.keys.both, 'GET', '/runs/recent?user_id=ann&limit=5');
    expect(ann.body.runs.map((r: { id: string }) => r.id).sort()).toEqual(['r1', 'r3']);
    expect((await call(ctx, t.keys.both, 'GET', '/runs/recent?limit=101')).status).toBe(400);
  });
});

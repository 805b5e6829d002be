import { describe, expect, it } from 'vitest';
import { QUEUES } from '../src/jobs/queues.ts';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';
import { DAY, HOUR, ago, getRun, loadRuns, type FixtureRun } from './signals-fixtures.ts';

describe.each(BACKENDS)('derived run fields on %s', (backend) => {
  const ctx = useApp(backend, { stallTimeoutMs: 1_000 });

  it('serves projects and their limits: admin writes, read lists, 404 across tenants', async () => {
    const t = await createTenant(ctx);
    const other = await createTenant(ctx);
    const body = { id: 'checkout', name: 'Checkout', limits: { max_cost_usd: 2.5, max_tokens: 1000 } };
    expect((await call(ctx, t.keys.both, 'POST', '/projects', body)).status).toBe(403);
    const created = await call(ctx, t.keys.admin, 'POST', '/projects', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject(body);
    expect((await call(ctx, t.keys.admin, 'POST', '/projects', body)).body.error).toBe('project_exists');
    const bad = await call(ctx, t.keys.admin, 'POST', '/projects', { id: 'x', name: 'X', limits: { max_cost_usd: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('limits.max_cost_usd');
    const patched = await call(ctx, t.keys.admin, 'PATCH', '/projects/checkout', { limits: { max_duration_ms: 60_000 } });
    expect(patched.body.limits).toEqual({ max_duration_ms: 60_000 });
    expect(patched.body.name).toBe('Checkout');
    const list = await call(ctx, t.keys.read, 'GET', '/projects?limit=10');
    expect(list.body).toMatchObject({ total: 1, limit: 10, offset: 0 });
    expect(list.body.projects.map((p: { id: string }) => p.id)).toEqual(['checkout']);
    expect((await call(ctx, t.keys.read, 'GET', '/projects?offset=5')).body).toMatchObject({ projects: [], total: 1 });
    expect((await call(ctx, other.keys.admin, 'GET', '/projects/checkout')).status).toBe(404);
    expect((await call(ctx, other.keys.admin, 'PATCH', '/projects/checkout', { name: 'mine' })).status).toBe(404);
    expect((await call(ctx, t.keys.read, 'GET', '/projects?limit=501')).status).toBe(400);
  });

  it('computes risk_level from the work unit limits over the project limits, boundaries included', async () => {
    const t = await createTenant(ctx);
    expect((await call(ctx, t.keys.admin, 'POST', '/projects', { id: 'p', name: 'P', limits: { max_cost_usd: 1, max_duration_ms: 100_000 } })).status).toBe(201);
    expect((await call(ctx, t.keys.admin, 'POST', '/projects', { id: 'tok', name: 'Tokens', limits: { max_tokens: 1000 } })).status).toBe(201);
    // The work unit's max_duration_ms wins over the project's; its cost limit comes from the project.
    expect((await call(ctx, t.keys.admin, 'POST', '/work-units', { id: 'wu', name: 'WU', limits: { max_duration_ms: 10_000 } })).status).toBe(201);
    const base = { started_at: ago(2 * HOUR), end: 'complete' as const, output: { ok: true }, input_tokens: 10, output_tokens: 5 };
    const runs: FixtureRun[] = [
      { ...base, id: 'ok', project_id: 'p', work_unit_id: 'wu', duration_ms: 5_000, cost: 0.5 }, // max(0.5, 0.5)
      { ...base, id: 'near', project_id: 'p', work_unit_id: 'wu', duration_ms: 1_000, cost: 0.75 }, // 0.75 exactly
      { ...base, id: 'at-risk', project_id: 'p', work_unit_id: 'wu', duration_ms: 9_500, cost: 0.1 }, // 0.95 by duration
      { ...base, id: 'at-risk-edge', project_id: 'p', duration_ms: 1_000, cost: 0.9 }, // 0.9 exactly, no work unit
      { ...base, id: 'violated', project_id: 'p', work_unit_id: 'wu', duration_ms: 1_000, cost: 1 }, // 1.0 exactly
      { ...base, id: 'policy', project_id: 'p', duration_ms: 1_000, cost: 0.01, policy_violation: true },
      { ...base, id: 'no-limits', duration_ms: 1_000_000, cost: 500 },
      { ...base, id: 'tokens', project_id: 'tok', duration_ms: 1_000, input_tokens: 700, output_tokens: 200 }, // 900 / 1000
    ];
    await loadRuns(ctx, t.keys.ingest, runs);
    const expected: Record<string, string> = {
      ok: 'OK', near: 'NEAR_THRESHOLD', 'at-risk': 'AT_RISK', 'at-risk-edge': 'AT_RISK', violated: 'VIOLATED',
      policy: 'VIOLATED', 'no-limits': 'OK', tokens: 'AT_RISK',
    };
    for (const [id, level] of Object.entries(expected)) expect([id, (await getRun(ctx, t.keys.read, id)).risk_level]).toEqual([id, level]);
    // 9,500 ms is past 0.75 × the 10,000 ms limit: SLOW without any baseline.
    expect((await getRun(ctx, t.keys.read, 'at-risk')).latency_bucket).toBe('SLOW');
    expect((await getRun(ctx, t.keys.read, 'ok')).latency_bucket).toBe('NORMAL');
  });

  it('marks a finished run SLOW past the p95 of its work unit over the previous 7 days (5 runs at least)', async () => {
    const t = await createTenant(ctx);
    const start = Date.now() - 3 * DAY;
    const run = (i: number, duration: number, workUnit = 'etl'): FixtureRun => ({
      id: `r${i}-${workUnit}`, work_unit_id: workUnit, started_at: new Date(start + i * HOUR), duration_ms: duration, end: 'complete', output: {}, input_tokens: 1,
    });
    // Runs 1-5 have fewer than 5 predecessors: NORMAL whatever they take.
    // Run 6 (6,000 ms): p95 of [1000..5000] = 4000 + 0.8 × 1000 = 4,800 → SLOW.
    // Run 7 (5,700 ms): p95 of [1000..6000] = 5000 + 0.75 × 1000 = 5,750 → NORMAL.
    // A run 8 days after the others has no baseline left in its 7 days: NORMAL.
    const runs = [run(1, 1000), run(2, 2000), run(3, 3000), run(4, 4000), run(5, 5000), run(6, 6000), run(7, 5700)];
    for (const r of runs) await loadRuns(ctx, t.keys.ingest, [r]);
    const buckets = await Promise.all(runs.map(async (r) => (await getRun(ctx, t.keys.read, r.id)).latency_bucket));
    expect(buckets).toEqual(['NORMAL', 'NORMAL', 'NORMAL', 'NORMAL', 'NORMAL', 'SLOW', 'NORMAL']);
    // Runs finished by one batch share the baseline of the runs finished before the earliest of
    // them: both 6,000 and 5,700 ms are measured against [1000..5000] (p95 4,800).
    const batch = [run(1, 1000, 'b'), run(2, 2000, 'b'), run(3, 3000, 'b'), run(4, 4000, 'b'), run(5, 5000, 'b')];
    await loadRuns(ctx, t.keys.ingest, batch);
    await loadRuns(ctx, t.keys.ingest, [run(6, 6000, 'b'), run(7, 5700, 'b')]);
    expect(await Promise.all(['r6-b', 'r7-b'].map(async (id) => (await getRun(ctx, t.keys.read, id)).latency_bucket))).toEqual(['SLOW', 'SLOW']);
    // Without a work unit, the agent's own runs are the baseline.
    const agentRuns = [1, 2, 3, 4, 5].map((i) => ({ ...run(i, 1000, 'x'), id: `a${i}`, work_unit_id: undefined, agent_id: 'bot' }));
    await loadRuns(ctx, t.keys.ingest, agentRuns);
    await loadRuns(ctx, t.keys.ingest, [{ ...agentRuns[0]!, id: 'a-slow', started_at: new Date(start + 10 * HOUR), duration_ms: 1001 }]);
    expect((await getRun(ctx, t.keys.read, 'a-slow')).latency_bucket).toBe('SLOW');
  });

  it('grades evidence and integrity from steps, usage, output and the reported step count', async () => {
    const t = await createTenant(ctx);
    const at = ago(HOUR);
    const steps = (...indexes: number[]) => indexes.map((step_index) => ({ step_index, skill_id: 's' }));
    const runs: FixtureRun[] = [
      { id: 'healthy', started_at: at, duration_ms: 10, end: 'complete', output: { a: 1 }, input_tokens: 5, steps: steps(0, 1, 2), step_count: 3 },
      { id: 'no-output', started_at: at, duration_ms: 10, end: 'complete', input_tokens: 5 },
      { id: 'no-tokens', started_at: at, duration_ms: 10, end: 'complete', output: 'x', steps: steps(0) },
      { id: 'step-tokens', started_at: at, duration_ms: 10, end: 'complete', output: 'x', steps: [{ step_index: 0, input_tokens: 3 }] },
      { id: 'missing', started_at: at, duration_ms: 10, end: 'complete' },
      { id: 'failed', started_at: at, duration_ms: 10, end: 'fail', error: 'boom', output_tokens: 4 },
      { id: 'gap', started_at: at, duration_ms: 10, end: 'complete', output: 1, input_tokens: 1, steps: steps(0, 2) },
      { id: 'short', started_at: at, duration_ms: 10, end: 'complete', output: 1, input_tokens: 1, steps: steps(0, 1), step_count: 5 },
      { id: 'said-steps', started_at: at, duration_ms: 10, end: 'complete', output: 1, input_tokens: 1, step_count: 2 },
    ];
    await loadRuns(ctx, t.keys.ingest, runs);
    const got = Object.fromEntries(await Promise.all(runs.map(async (r) => {
      const row = await getRun(ctx, t.keys.read, r.id);
      return [r.id, `${row.evidence_health}/${row.integrity_status}`];
    })));
    expect(got).toEqual({
      healthy: 'HEALTHY/VERIFIED', 'no-output': 'DEGRADED/UNKNOWN', 'no-tokens': 'DEGRADED/VERIFIED', 'step-tokens': 'HEALTHY/VERIFIED',
      missing: 'MISSING/UNKNOWN', failed: 'HEALTHY/UNKNOWN', gap: 'HEALTHY/INCOMPLETE', short: 'HEALTHY/INCOMPLETE', 'said-steps': 'HEALTHY/INCOMPLETE',
    });
    // The missing step arriving after the end completes the evidence (REST path this time).
    const filled = await call(ctx, t.keys.ingest, 'POST', '/runs/gap/steps', { steps: steps(1) });
    expect(filled.body.inserted).toBe(1);
    expect((await getRun(ctx, t.keys.read, 'gap')).integrity_status).toBe('VERIFIED');
  });

  it('derives the fields on the REST path too', async () => {
    const t = await createTenant(ctx);
    await call(ctx, t.keys.admin, 'POST', '/projects', { id: 'p', name: 'P', limits: { max_cost_usd: 1 } });
    expect((await call(ctx, t.keys.ingest, 'POST', '/runs', { id: 'rest', project_id: 'p', status: 'running' })).status).toBe(201);
    const done = await call(ctx, t.keys.ingest, 'POST', '/runs/rest/complete', { estimated_cost_usd: 0.8, output_data: { a: 1 } });
    expect(done.body).toMatchObject({ risk_level: 'NEAR_THRESHOLD', latency_bucket: 'NORMAL', evidence_health: 'DEGRADED', integrity_status: 'UNKNOWN' });
  });

  it('runs the scheduled stall job through the queue: STALLED and at risk at once, cleared by a heartbeat', async () => {
    const t = await createTenant(ctx);
    expect(await ctx.services.jobs.schedules()).toContainEqual({ name: QUEUES.markStalled, cron: '* * * * *' });
    await call(ctx, t.keys.admin, 'POST', '/work-units', { id: 'quick', name: 'Quick', limits: { max_duration_ms: 1_000 } });
    await call(ctx, t.keys.ingest, 'POST', '/runs', { id: 'stuck', work_unit_id: 'quick', status: 'running', started_at: ago(5_000).toISOString() });
    await call(ctx, t.keys.ingest, 'POST', '/runs', { id: 'alive', status: 'running' });
    await new Promise((r) => setTimeout(r, 1_100));
    await call(ctx, t.keys.ingest, 'POST', '/runs/alive/heartbeat');
    await ctx.services.jobs.send(QUEUES.markStalled, {});
    let stuck = await getRun(ctx, t.keys.read, 'stuck');
    for (let i = 0; i < 100 && stuck.latency_bucket !== 'STALLED'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      stuck = await getRun(ctx, t.keys.read, 'stuck');
    }
    // Silent for over the 1 s stall timeout, and 5 s old against a 1 s limit.
    expect(stuck).toMatchObject({ latency_bucket: 'STALLED', risk_level: 'VIOLATED', state: 'LIVE' });
    expect((await getRun(ctx, t.keys.read, 'alive')).latency_bucket).toBeNull();
    const queue = await call(ctx, t.keys.read, 'GET', '/activity/attention-queue');
    expect(queue.body.queue.find((q: { run_id: string }) => q.run_id === 'stuck')?.reasons).toEqual(['risk', 'latency']);
    const beat = await call(ctx, t.keys.ingest, 'POST', '/runs/stuck/heartbeat');
    expect(beat.body.latency_bucket).toBeNull();
  });
});

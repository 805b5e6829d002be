import { describe, expect, it } from 'vitest';
import { foldDimensionCounts } from '../src/domain/signals/queries/by-dimension.ts';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';
import { DAY, HOUR, ago, loadRuns, type FixtureRun } from './signals-fixtures.ts';

describe.each(BACKENDS)('status summary, runs by dimension and threshold signals on %s', (backend) => {
  const ctx = useApp(backend);

  /** Four finished runs and two live ones; project p caps cost at 1 USD. */
  async function fixture() {
    const t = await createTenant(ctx);
    await call(ctx, t.keys.admin, 'POST', '/projects', { id: 'p', name: 'P', limits: { max_cost_usd: 1 } });
    const done = { project_id: 'p', duration_ms: 1000, output: {}, input_tokens: 1 };
    const runs: FixtureRun[] = [
      { ...done, id: 'c1', started_at: ago(2 * HOUR), end: 'complete', cost: 0.8, provider_type: 'anthropic', agent_id: 'a1', source: 'sdk' }, // NEAR
      { ...done, id: 'c2', started_at: ago(2 * DAY), end: 'complete', cost: 1.5, provider_type: 'anthropic', agent_id: 'a1', source: 'sdk' }, // VIOLATED
      { ...done, id: 'f1', started_at: ago(3 * HOUR), end: 'fail', cost: 0.95, provider_type: 'anthropic', agent_id: 'a2', source: 'otlp' }, // AT_RISK
      { ...done, id: 'x1', started_at: ago(10 * DAY), end: 'cancel', cost: 0.1, provider_type: 'openai', source: 'sdk' }, // OK
      { id: 'l1', started_at: ago(HOUR), provider_type: 'anthropic', agent_id: 'a1' },
      { id: 'l2', started_at: ago(HOUR) },
    ];
    await loadRuns(ctx, t.keys.ingest, runs);
    // Another tenant's runs must never count.
    const other = await createTenant(ctx);
    await loadRuns(ctx, other.keys.ingest, runs);
    return { t, runs };
  }

  it('COMP-O3: counts finished runs by status with the near-threshold count, windows inclusive at both ends', async () => {
    const { t, runs } = await fixture();
    const all = await call(ctx, t.keys.read, 'GET', '/activity/summary/by-status');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      tenant_id: t.tenantId, window: { started_after: null, started_before: null },
      summary: { completed: 2, failed: 1, cancelled: 1 }, near_threshold_count: 2, total: 4,
    });
    const after = ago(DAY).toISOString();
    const day = await call(ctx, t.keys.read, 'GET', `/activity/summary/by-status?started_after=${after}`);
    expect(day.body).toMatchObject({ window: { started_after: after, started_before: null }, summary: { completed: 1, failed: 1 }, near_threshold_count: 2, total: 2 });
    const c2 = runs[1]!.started_at.toISOString();
    const exact = await call(ctx, t.keys.read, 'GET', `/activity/summary/by-status?started_after=${c2}&started_before=${c2}`);
    expect(exact.body).toMatchObject({ summary: { completed: 1 }, near_threshold_count: 0, total: 1 });
    expect((await call(ctx, t.keys.read, 'GET', '/activity/summary/by-status?project_id=nope')).body).toMatchObject({ summary: {}, total: 0 });
    const reversed = await call(ctx, t.keys.read, 'GET', `/activity/summary/by-status?started_after=${after}&started_before=${c2}`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.details.field).toBe('started_before');
    const empty = await createTenant(ctx);
    expect((await call(ctx, empty.keys.read, 'GET', '/activity/summary/by-status')).body)
      .toMatchObject({ summary: {}, near_threshold_count: 0, total: 0 });
  });

  it('LIVE-O5: groups live or finished runs by an allowed dimension, NULL as unknown, ties by key', async () => {
    const { t } = await fixture();
    const live = await call(ctx, t.keys.read, 'GET', '/activity/runs/by-dimension?dim=provider_type');
    expect(live.body).toEqual({ dimension: 'provider_type', state: 'LIVE', buckets: [{ key: 'anthropic', count: 1 }, { key: 'unknown', count: 1 }], total_runs: 2 });
    const done = await call(ctx, t.keys.read, 'GET', '/activity/runs/by-dimension?dim=agent_id&state=COMPLETED');
    expect(done.body.buckets).toEqual([{ key: 'a1', count: 2 }, { key: 'a2', count: 1 }, { key: 'unknown', count: 1 }]);
    expect(done.body.total_runs).toBe(4);
    const bySource = await call(ctx, t.keys.read, 'GET', '/activity/runs/by-dimension?dim=source&state=COMPLETED');
    expect(bySource.body.buckets).toEqual([{ key: 'sdk', count: 3 }, { key: 'otlp', count: 1 }]);
    // Folding the rollup's deltas (the minute job's last step) changes no answer.
    const { rows: before } = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM run_dimension_counts WHERE tenant_id = $1`, [t.tenantId]);
    await foldDimensionCounts(ctx.db);
    const { rows: after } = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM run_dimension_counts WHERE tenant_id = $1`, [t.tenantId]);
    expect(after[0]!.n).toBeLessThan(before[0]!.n);
    expect((await call(ctx, t.keys.read, 'GET', '/activity/runs/by-dimension?dim=agent_id&state=COMPLETED')).body).toEqual(done.body);
    expect((await call(ctx, t.keys.read, 'GET', '/activity/runs/by-dimension?dim=provider_type')).body).toEqual(live.body);
    expect((await call(ctx, t.keys.read, 'GET', '/activity/runs/by-dimension?dim=provider_type&state=COMPLETED&project_id=p')).body.total_runs).toBe(4);
    const bad = await call(ctx, t.keys.read, 'GET', '/activity/runs/by-dimension?dim=model');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid_dimension', allowed: ['provider_type', 'source', 'agent_id'], received: 'model' });
    expect((await call(ctx, t.keys.read, 'GET', '/activity/runs/by-dimension?dim=source&state=DONE')).status).toBe(400);
  });

  it('LIVE-O5: answers the top 20 buckets while total_runs counts them all', async () => {
    const t = await createTenant(ctx);
    const runs: FixtureRun[] = Array.from({ length: 25 }, (_, i) => ({ id: `s${i}`, started_at: ago(HOUR), source: `src-${String(i).padStart(2, '0')}` }));
    runs.push({ id: 'extra', started_at: ago(HOUR), source: 'src-24' });
    await loadRuns(ctx, t.keys.ingest, runs);
    const res = await call(ctx, t.keys.read, 'GET', '/activity/runs/by-dimension?dim=source&state=LIVE');
    expect(res.body.buckets).toHaveLength(20);
    expect(res.body.buckets[0]).toEqual({ key: 'src-24', count: 2 });
    expect(res.body.buckets[1]).toEqual({ key: 'src-00', count: 1 });
    expect(res.body.total_runs).toBe(26);
  });

  it('SIG-O2: lists the runs near their limits with repeated risk_level parameters', async () => {
    const { t } = await fixture();
    const res = await call(ctx, t.keys.read, 'GET', '/activity/runs?risk_level=NEAR_THRESHOLD&risk_level=AT_RISK');
    expect(res.status).toBe(200);
    expect(res.body.runs.map((r: { id: string }) => r.id).sort()).toEqual(['c1', 'f1']);
    const violated = await call(ctx, t.keys.read, 'GET', '/activity/runs?risk_level=VIOLATED');
    expect(violated.body.runs.map((r: { id: string }) => r.id)).toEqual(['c2']);
    expect((await call(ctx, t.keys.read, 'GET', '/activity/runs?risk_level=HIGH')).status).toBe(400);
  });
});

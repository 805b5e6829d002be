import { describe, expect, it } from 'vitest';
import { PRUNE_RUN_BATCH } from '../src/domain/retention/retention.service.ts';
import { QUEUES } from '../src/jobs/queues.ts';
import { BACKENDS, call, createTenant, useApp, type TestContext, type TestTenant } from './helpers.ts';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** Finished runs of a project, each with two steps and its own activity, started `days` ago. */
async function seedRuns(ctx: TestContext, t: TestTenant, prefix: string, project: string | null, days: number, n: number, unit = 'pruned-unit') {
  const items = [];
  for (let i = 0; i < n; i++) {
    const id = `${prefix}-${i}`;
    const base = { project_id: project ?? undefined, work_unit_id: unit, agent_id: `agent-${i % 3}`, provider_type: i % 2 ? 'openai' : 'anthropic', source: 'sdk' };
    items.push(
      { type: 'run.create', id, body: { ...base, status: 'running', started_at: ago(days) } },
      { type: 'steps.append', id, body: { steps: [{ step_index: 0, skill_id: 'a', retry_count: 4, started_at: ago(days) }, { step_index: 1, skill_id: 'b', started_at: ago(days) }] } },
      { type: i % 5 === 0 ? 'run.fail' : 'run.complete', id, body: { completed_at: ago(days - 0.001), input_tokens: 100 } },
      { type: 'activity.create', id: `${id}-note`, body: { action_name: 'note', project_id: project ?? undefined, occurred_at: ago(days) } },
    );
  }
  for (let i = 0; i < items.length; i += 1000) {
    const res = await call(ctx, t.keys.both, 'POST', '/ingest', { items: items.slice(i, i + 1000) });
    expect(res.body.results.every((r: { status: number }) => r.status < 300)).toBe(true);
  }
}

async function counts(ctx: TestContext, tenantId: string) {
  const { rows } = await ctx.db.query<{ runs: number; steps: number; activities: number }>(
    `SELECT (SELECT count(*) FROM runs WHERE tenant_id = $1)::int AS runs,
       (SELECT count(*) FROM trace_steps WHERE tenant_id = $1)::int AS steps,
       (SELECT count(*) FROM activities WHERE tenant_id = $1 AND run_id IS NULL)::int AS activities`, [tenantId]);
  return rows[0]!;
}

/** run_dimension_counts summed per key must equal a recount of the runs (migration 0010's promise). */
async function rollupMismatches(ctx: TestContext, tenantId: string) {
  const { rows } = await ctx.db.query(
    `WITH rollup AS (SELECT coalesce(project_id, '') AS project_id, state, dim, key, sum(delta)::int AS n FROM run_dimension_counts WHERE tenant_id = $1 GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0),
       recount AS (SELECT coalesce(r.project_id, '') AS project_id, r.state, d.dim, d.key, count(*)::int AS n FROM runs r, runlog_run_dimensions(r.provider_type, r.source, r.agent_id) d WHERE r.tenant_id = $1 GROUP BY 1, 2, 3, 4)
     SELECT * FROM rollup FULL JOIN recount USING (project_id, state, dim, key) WHERE rollup.n IS DISTINCT FROM recount.n`, [tenantId]);
  return rows;
}

describe.each(BACKENDS)('retention on %s', (backend) => {
  const ctx = useApp(backend);

  it('is set per project through the projects API (null keeps everything)', async () => {
    const t = await createTenant(ctx);
    const created = await call(ctx, t.keys.admin, 'POST', '/projects', { id: 'kept', name: 'Kept' });
    expect(created.body.retention_days).toBeNull();
    const set = await call(ctx, t.keys.admin, 'PATCH', '/projects/kept', { retention_days: 30 });
    expect(set.body).toMatchObject({ id: 'kept', retention_days: 30 });
    expect((await call(ctx, t.keys.admin, 'PATCH', '/projects/kept', { name: 'Renamed' })).body.retention_days).toBe(30);
    const bad = await call(ctx, t.keys.admin, 'PATCH', '/projects/kept', { retention_days: 0 });
    expect([bad.status, bad.body.message]).toEqual([400, expect.stringContaining('retention_days')]);
    expect((await call(ctx, t.keys.admin, 'PATCH', '/projects/kept', { retention_days: null })).body.retention_days).toBeNull();
    expect((await call(ctx, t.keys.admin, 'POST', '/projects', { id: 'short', name: 'S', retention_days: 7 })).body.retention_days).toBe(7);
    expect((await ctx.services.jobs.schedules()).map((s) => s.name)).toContain(QUEUES.pruneExpired);
  });

  it('prunes exactly the expired runs, steps and activities in batches; rollups, unit figures and /metrics follow', async () => {
    const t = await createTenant(ctx);
    await call(ctx, t.keys.admin, 'POST', '/projects', { id: 'short', name: 'Short', retention_days: 30 });
    await call(ctx, t.keys.admin, 'POST', '/projects', { id: 'forever', name: 'Forever' });
    await call(ctx, t.keys.admin, 'POST', '/work-units', { id: 'pruned-unit', name: 'Unit' });
    const expired = PRUNE_RUN_BATCH + 20; // more than one batch
    await seedRuns(ctx, t, 'old', 'short', 40, expired);
    await seedRuns(ctx, t, 'recent', 'short', 10, 15);
    await seedRuns(ctx, t, 'old-kept', 'forever', 40, 12);
    await seedRuns(ctx, t, 'no-project', null, 60, 5);
    const before = await counts(ctx, t.tenantId);

    const result = await ctx.services.retention.prune({ tenantId: t.tenantId });
    expect(result).toEqual({ projects: 1, runs: expired, trace_steps: expired * 2, activities: expect.any(Number) });
    const after = await counts(ctx, t.tenantId);
    expect(after.runs).toBe(before.runs - expired);
    expect(after.steps).toBe(before.steps - 2 * expired);
    expect(after.activities).toBe(before.activities - expired);
    const { rows: left } = await ctx.db.query<{ id: string }>(`SELECT id FROM runs WHERE tenant_id = $1 AND id LIKE 'old-%' AND project_id = 'short'`, [t.tenantId]);
    expect(left).toEqual([]);
    const { rows: oldActivities } = await ctx.db.query(`SELECT id FROM activities WHERE tenant_id = $1 AND project_id = 'short' AND occurred_at < now() - interval '30 days'`, [t.tenantId]);
    expect(oldActivities).toEqual([]);

    expect(await rollupMismatches(ctx, t.tenantId)).toEqual([]);
    const byAgent = await call(ctx, t.keys.read, 'GET', '/activity/runs/by-dimension?dim=agent_id&state=COMPLETED');
    expect(byAgent.body.total_runs).toBe(after.runs);
    const unit = await call(ctx, t.keys.read, 'GET', '/work-units/pruned-unit');
    expect(unit.body.total_runs).toBe(after.runs);
    const patterns = await call(ctx, t.keys.read, 'GET', '/activity/patterns?window=30d');
    const retry = patterns.body.patterns.find((p: { pattern_type: string }) => p.pattern_type === 'retry_loop');
    expect(retry.count).toBe(15); // the recent runs of "short"; the 40- and 60-day-old ones are outside the window

    const again = await ctx.services.retention.prune({ tenantId: t.tenantId });
    expect(again).toMatchObject({ runs: 0, trace_steps: 0, activities: 0 });
    const metrics = await call(ctx, null, 'GET', '/metrics');
    const pruned = (table: string) => Number(new RegExp(`runlog_retention_pruned_rows_total\\{table="${table}"\\} (\\d+)`).exec(metrics.text)?.[1]);
    expect(pruned('runs')).toBeGreaterThanOrEqual(expired);
    expect(pruned('trace_steps')).toBeGreaterThanOrEqual(expired * 2);
  });
});

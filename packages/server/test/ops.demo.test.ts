import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpSink } from '../src/ops/demo/demo-sinks.ts';
import { loadDemo } from '../src/ops/demo/load-demo.ts';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';
import { expectSignalsNonEmpty, loadDemoDirect } from './ops-helpers.ts';

describe.each(BACKENDS)('runlog demo on %s', (backend) => {
  const ctx = useApp(backend);

  it('loads a week of runs, people, workspaces and a coding-assistant session; every signal has an answer; loading again adds nothing', { timeout: 300_000 }, async () => {
    const t = await createTenant(ctx);
    const summary = await loadDemoDirect(ctx, t.tenantId);
    expect(summary).toMatchObject({ runs: 840, live_runs: 4, work_units: 6, workspaces: 2, failed: [] });
    await expectSignalsNonEmpty(ctx, t.keys.admin);

    const runs = await call(ctx, t.keys.read, 'GET', '/activity/summary/by-status');
    const started = (await call(ctx, t.keys.read, 'GET', '/runs?limit=500')).body.runs.map((r: { started_at: string }) => Date.parse(r.started_at));
    expect(Math.max(...started) - Math.min(...started)).toBeGreaterThan(6 * 86_400_000); // spread over the week
    const workspaces = (await call(ctx, t.keys.admin, 'GET', '/workspaces')).body.workspaces;
    expect(workspaces.map((w: { name: string }) => w.name).sort()).toEqual(['Payments team', 'Support desk']);
    const members = await call(ctx, t.keys.admin, 'GET', `/workspaces/${workspaces[0].id}/members`);
    expect(members.body.members.length).toBe(2);
    const session = await call(ctx, t.keys.read, 'GET', '/activities?session_id=demo-claude-code-session-1&limit=100');
    expect(session.body.activities.length).toBe(16);
    expect(session.body.activities.some((a: { source: string; duration_ms: number | null }) => a.source === 'claude-code' && a.duration_ms !== null)).toBe(true);

    const again = await loadDemoDirect(ctx, t.tenantId);
    expect(again.failed).toEqual([]);
    expect((await call(ctx, t.keys.read, 'GET', '/activity/summary/by-status')).body.total).toBe(runs.body.total);
    expect((await call(ctx, t.keys.admin, 'GET', '/users')).body.users.length).toBe(3);
  });

  it.runIf(backend === 'pglite')('loads the same data through the public API of a running server', { timeout: 300_000 }, async () => {
    const t = await createTenant(ctx);
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = ctx.app.server.address() as AddressInfo;
    const summary = await loadDemo(httpSink(`http://127.0.0.1:${port}`, t.keys.admin), { seed: 42, now: Date.now(), onProgress: () => {} });
    expect(summary.failed).toEqual([]);
    await expectSignalsNonEmpty(ctx, t.keys.admin);
  });
});

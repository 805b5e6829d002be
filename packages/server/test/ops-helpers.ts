import { expect } from 'vitest';
import { serviceSink } from '../src/ops/demo/demo-sinks.ts';
import { loadDemo } from '../src/ops/demo/load-demo.ts';
import { call, type TestContext } from './helpers.ts';

/** The six signal endpoints of seed 001 (by-dimension for live and finished runs). */
export const SIGNAL_URLS = [
  '/activity/summary/by-status',
  '/activity/runs/by-dimension?dim=agent_id',
  '/activity/runs/by-dimension?dim=provider_type&state=COMPLETED',
  '/activity/runs?risk_level=NEAR_THRESHOLD&risk_level=AT_RISK&risk_level=VIOLATED&limit=500',
  '/activity/patterns',
  '/activity/patterns?window=7d',
  '/activity/cost-analysis',
  '/activity/attention-queue?limit=100',
];

/** Loads the demo data set into a tenant through the services (the CLI's direct mode). */
export async function loadDemoDirect(ctx: TestContext, tenantId: string, seed = 42) {
  const sink = serviceSink(ctx.services, { tenantId, keyId: 'test', scopes: ['admin'], userId: null, projectId: null });
  return loadDemo(sink, { seed, now: Date.now(), onProgress: () => {} });
}

/**
 * An answer without what differs between two tenants or two moments: tenant ids, windows,
 * times since now, and live runs (their risk follows their age, refreshed by the minute job).
 */
export function comparable(url: string, body: any): unknown {
  const { tenant_id: _t, window: _w, ...rest } = body;
  if (url.startsWith('/activity/attention-queue')) {
    return rest.queue.filter((q: { state: string }) => q.state === 'COMPLETED')
      .map((q: { run_id: string; reasons: string[]; attention_score: number }) => ({ run_id: q.run_id, reasons: q.reasons, score: Math.round(q.attention_score * 100) }));
  }
  if (url.startsWith('/activity/runs?')) {
    return rest.runs.filter((r: { state: string }) => r.state === 'COMPLETED')
      .map((r: { id: string; risk_level: string; estimated_cost_usd: number }) => [r.id, r.risk_level, r.estimated_cost_usd]).sort();
  }
  return rest;
}

/** Every signal endpoint answers something for the tenant behind `key`. */
export async function expectSignalsNonEmpty(ctx: TestContext, key: string) {
  const got = Object.fromEntries(await Promise.all(SIGNAL_URLS.map(async (url) => [url, (await call(ctx, key, 'GET', url)).body])));
  expect(got['/activity/summary/by-status'].total).toBeGreaterThan(500);
  expect(got['/activity/summary/by-status'].summary.failed).toBeGreaterThan(0);
  expect(got['/activity/summary/by-status'].near_threshold_count).toBeGreaterThan(0);
  expect(got['/activity/runs/by-dimension?dim=agent_id'].buckets.length).toBeGreaterThan(0); // live runs
  expect(got['/activity/runs/by-dimension?dim=provider_type&state=COMPLETED'].buckets.length).toBe(3);
  expect(got['/activity/runs?risk_level=NEAR_THRESHOLD&risk_level=AT_RISK&risk_level=VIOLATED&limit=500'].runs.length).toBeGreaterThan(0);
  for (const url of ['/activity/patterns', '/activity/patterns?window=7d']) {
    const counts = Object.fromEntries(got[url].patterns.map((p: { pattern_type: string; count: number }) => [p.pattern_type, p.count]));
    expect(counts).toEqual({ retry_loop: expect.any(Number), step_oscillation: expect.any(Number), tool_call_loop: expect.any(Number), timeout_cascade: expect.any(Number) });
    expect(Object.values(counts).every((n) => (n as number) > 0)).toBe(true);
  }
  const cost = got['/activity/cost-analysis'];
  expect(cost.agents.length).toBe(6);
  expect(cost.agents.filter((a: { is_anomaly: boolean }) => a.is_anomaly).map((a: { agent_id: string }) => a.agent_id)).toEqual(['support-triage']);
  expect(got['/activity/attention-queue?limit=100'].queue.length).toBeGreaterThan(0);
  return got;
}

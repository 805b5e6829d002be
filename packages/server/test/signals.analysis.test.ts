import { describe, expect, it } from 'vitest';
import { ATTENTION_WEIGHTS } from '../src/domain/signals/signals.constants.ts';
import { QUEUES } from '../src/jobs/queues.ts';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';
import { DAY, HOUR, ago, loadRuns, type FixtureRun } from './signals-fixtures.ts';

const skills = (...ids: string[]) => ids.map((skill_id, step_index) => ({ step_index, skill_id }));

describe.each(BACKENDS)('patterns, cost analysis and attention queue on %s', (backend) => {
  const ctx = useApp(backend);

  it('SIG-O3: finds the four patterns in the window, with counts, details and confidence', async () => {
    const t = await createTenant(ctx);
    // Finished runs carry their pattern evidence from the end on; rL2 stays live until the minute job sees it.
    const live = (id: string, startedAgo: number, steps: FixtureRun['steps']): FixtureRun =>
      id === 'rL2' ? { id, started_at: ago(startedAgo), steps } : { id, started_at: ago(startedAgo), steps, end: 'complete', duration_ms: 1000 };
    await loadRuns(ctx, t.keys.ingest, [
      // retry_loop: 4 and 3 retries (3 is the threshold); 2 is not enough; the old run is outside 24 h.
      live('rA', 30 * 60_000, [{ step_index: 0, skill_id: 's1', retry_count: 2 }, { step_index: 1, skill_id: 's2' }, { step_index: 2, skill_id: 's3', retry_count: 2 }]),
      live('rB', 3 * HOUR, [0, 1, 2].map((i) => ({ step_index: i, skill_id: `s${i}`, retry_count: 1 }))),
      live('rC', 30 * 60_000, [{ step_index: 0, skill_id: 's1', retry_count: 2 }]),
      live('rOld', 2 * DAY, [{ step_index: 0, skill_id: 's1', retry_count: 9 }]),
      // step_oscillation: A is re-entered after other skills 3 times, never 3 times within 5 steps.
      live('rO', 30 * 60_000, skills('A', 'B', 'C', 'A', 'B', 'C', 'A', 'B', 'C', 'A')),
      // tool_call_loop: X 4 times within 5 steps; Z 3 times (re-entered once only: no oscillation).
      live('rL', 30 * 60_000, skills('X', 'X', 'X', 'X', 'Y')),
      live('rL2', 30 * 60_000, skills('Z', 'Y', 'Z', 'Z')),
      // timeout_cascade: two steps over 5 s; rT2 has one over 5 s and one exactly at 5 s.
      live('rT', 30 * 60_000, [6000, 7000, 100].map((duration_ms, step_index) => ({ step_index, skill_id: `t${step_index}`, duration_ms }))),
      live('rT2', 30 * 60_000, [5000, 9000].map((duration_ms, step_index) => ({ step_index, skill_id: `t${step_index}`, duration_ms }))),
    ]);
    const other = await createTenant(ctx);
    await loadRuns(ctx, other.keys.ingest, [live('rX', 60_000, [0, 1, 2, 3].map((i) => ({ step_index: i, skill_id: 'X', retry_count: 5, duration_ms: 9000 })))]);

    const before = await call(ctx, t.keys.read, 'GET', '/activity/patterns');
    expect(before.body.patterns.find((p: { pattern_type: string }) => p.pattern_type === 'tool_call_loop').run_ids).toEqual(['rL']);
    await ctx.services.jobs.send(QUEUES.markStalled, {});
    let res = before;
    for (let i = 0; i < 100 && res.body.patterns.find((p: { pattern_type: string }) => p.pattern_type === 'tool_call_loop').count < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await call(ctx, t.keys.read, 'GET', '/activity/patterns');
    }
    expect(res.status).toBe(200);
    const end = new Date(res.body.window.end).getTime();
    expect(end - new Date(res.body.window.start).getTime()).toBe(DAY);
    const byType = Object.fromEntries(res.body.patterns.map((p: { pattern_type: string }) => [p.pattern_type, p]));
    // Confidence is 1 - threshold / (2 × mean evidence): retries 3.5 → 0.57; depth 3.5 → 0.57; 3 re-entries → 0.5; 2 slow steps → 0.5.
    expect(byType.retry_loop).toEqual({ pattern_type: 'retry_loop', run_ids: ['rA', 'rB'], count: 2, confidence: 0.57, details: { avg_retries: 3.5, max_step_retries: 2 } });
    expect(byType.step_oscillation).toEqual({ pattern_type: 'step_oscillation', run_ids: ['rO'], count: 1, confidence: 0.5, details: { skill_id: 'A', oscillation_count: 3 } });
    expect(byType.tool_call_loop).toEqual({ pattern_type: 'tool_call_loop', run_ids: ['rL', 'rL2'], count: 2, confidence: 0.57, details: { skill_id: 'X', loop_depth: 4 } });
    expect(byType.timeout_cascade).toEqual({
      pattern_type: 'timeout_cascade', run_ids: ['rT'], count: 1, confidence: 0.5, details: { avg_slow_steps: 2, avg_duration_ms: 6500, slow_threshold_ms: 5000 },
    });

    const lower = await call(ctx, t.keys.read, 'GET', '/activity/patterns?slow_threshold_ms=4000&window=1h');
    const lowerByType = Object.fromEntries(lower.body.patterns.map((p: { pattern_type: string }) => [p.pattern_type, p]));
    // rB started 3 h ago: outside the 1 h window. rT2 now has two slow steps: (6000 + 7000 + 5000 + 9000) / 4.
    expect(lowerByType.retry_loop.run_ids).toEqual(['rA']);
    expect(lowerByType.timeout_cascade).toMatchObject({ run_ids: ['rT', 'rT2'], count: 2, details: { avg_duration_ms: 6750 } });

    for (const bad of ['window=31d', 'window=abc', 'window=0h', 'slow_threshold_ms=999']) {
      const r = await call(ctx, t.keys.read, 'GET', `/activity/patterns?${bad}`);
      expect([bad, r.status]).toEqual([bad, 400]);
    }
    const empty = await createTenant(ctx);
    expect((await call(ctx, empty.keys.read, 'GET', '/activity/patterns')).body.patterns).toEqual([]);
  });

  it('SIG-O4: compares today with the 7-day baseline per agent: z-score, p95 rule, stddev 0, no baseline', async () => {
    const t = await createTenant(ctx);
    const runs: FixtureRun[] = [];
    const add = (agent: string, startedAgo: number, cost: number | undefined, durationMs = 60_000) =>
      runs.push({ id: `${agent}-${runs.length}`, agent_id: agent, started_at: ago(startedAgo), duration_ms: durationMs, end: 'complete', cost, output: {}, input_tokens: 1 });
    [1, 2, 3, 4, 5].forEach((c, i) => add('steady', (2 + i) * DAY, c));
    [1, 2, 3, 4, 5].forEach((c, i) => add('hot', (2 + i) * DAY, c));
    [1, 1, 1, 1, 1].forEach((_, i) => add('spiky', (2 + i) * DAY, 1));
    add('steady', 2 * HOUR, 3.5);
    add('steady', 3 * HOUR, 4.5);
    add('steady', 4 * HOUR, undefined); // no cost: not counted
    add('hot', HOUR, 10);
    add('spiky', HOUR, 1.5);
    add('new', HOUR, 2);
    // Finished less than a day ago but started earlier: in neither window. Finished 8 days ago: too old.
    add('steady', 30 * HOUR, 100, 10 * HOUR);
    add('steady', 8 * DAY, 100);
    await loadRuns(ctx, t.keys.ingest, runs);
    const other = await createTenant(ctx);
    await loadRuns(ctx, other.keys.ingest, [{ id: 'o', agent_id: 'hot', started_at: ago(HOUR), duration_ms: 1000, end: 'complete', cost: 1000 }]);

    const res = await call(ctx, t.keys.read, 'GET', '/activity/cost-analysis');
    expect(res.status).toBe(200);
    const sd = Math.sqrt(2.5); // sample deviation of 1..5
    const agents = res.body.agents;
    expect(agents.map((a: { agent_id: string }) => a.agent_id)).toEqual(['hot', 'steady', 'spiky', 'new']);
    expect(agents[0]).toMatchObject({ current_cost_usd: 10, baseline_avg_usd: 3, baseline_p95_usd: 4.8, is_anomaly: true, run_count: 1, has_baseline: true, baseline_run_count: 5 });
    expect(agents[0].z_score).toBeCloseTo(7 / sd, 3);
    expect(agents[1]).toMatchObject({ current_cost_usd: 4, total_cost_usd: 8, is_anomaly: false, run_count: 2 });
    expect(agents[1].z_score).toBeCloseTo(1 / sd, 3);
    expect(agents[2]).toMatchObject({ current_cost_usd: 1.5, baseline_stddev_usd: 0, baseline_p95_usd: 1, z_score: 0, is_anomaly: true });
    expect(agents[3]).toMatchObject({ agent_id: 'new', has_baseline: false, baseline_avg_usd: null, z_score: null, is_anomaly: false, run_count: 1 });
    expect(res.body).toMatchObject({ window: { current: 'last_24h', baseline: '7_day_average' }, total_anomalies: 2, total_cost_usd: 21.5 });
    const empty = await createTenant(ctx);
    expect((await call(ctx, empty.keys.read, 'GET', '/activity/cost-analysis')).body).toMatchObject({ agents: [], total_anomalies: 0, total_cost_usd: 0 });
  });

  it('SIG-O5: scores runs with the frozen weights, explains each with reasons, and breaks ties stably', async () => {
    const t = await createTenant(ctx);
    await call(ctx, t.keys.admin, 'POST', '/projects', { id: 'p', name: 'P', limits: { max_cost_usd: 1 } });
    const healthy = { end: 'complete' as const, output: { ok: 1 }, input_tokens: 5, duration_ms: 60_000 };
    const runs: FixtureRun[] = [
      { ...healthy, id: 'q1', project_id: 'p', started_at: ago(2 * HOUR), cost: 2, policy_violation: true }, // risk 1, impact 0.8
      { id: 'q3', started_at: ago(3 * HOUR), end: 'complete', duration_ms: 60_000 }, // evidence MISSING
      { ...healthy, id: 'q4', project_id: 'p', started_at: ago(31 * HOUR), cost: 2 }, // finished 30 h ago: out
      { ...healthy, id: 'q5', started_at: ago(5 * HOUR), incident_count: 2 }, // impact 0.6
      { id: 'q6', project_id: 'p', started_at: ago(4 * HOUR), end: 'complete', duration_ms: 60_000, cost: 0.8, input_tokens: 5 }, // NEAR + DEGRADED
      { id: 'q7b', started_at: ago(6 * HOUR), end: 'complete', duration_ms: 60_000 },
      { id: 'q7a', started_at: ago(6 * HOUR), end: 'complete', duration_ms: 60_000 },
      { ...healthy, id: 'calm', started_at: ago(HOUR) }, // nothing to see
      { id: 'live-calm', started_at: ago(HOUR) },
    ];
    runs[6]!.started_at = runs[5]!.started_at; // a true tie
    await loadRuns(ctx, t.keys.ingest, runs);
    const other = await createTenant(ctx);
    await loadRuns(ctx, other.keys.ingest, [{ id: 'theirs', started_at: ago(HOUR), end: 'complete', duration_ms: 1, policy_violation: true }]);

    const res = await call(ctx, t.keys.read, 'GET', '/activity/attention-queue');
    expect(res.status).toBe(200);
    expect(Object.values(res.body.weights as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(res.body).toMatchObject({ weights_version: '1.0', weights: ATTENTION_WEIGHTS, total_attention_items: 6 });
    const now = new Date(res.body.generated_at).getTime();
    const recency = (id: string) => 1 - (now - runs.find((r) => r.id === id)!.started_at.getTime()) / DAY;
    const expected: [string, number, string[]][] = [
      ['q1', 0.35 * 1 + 0.25 * 0.8 + 0.15 * recency('q1'), ['risk', 'impact']],
      ['q6', 0.35 * 0.5 + 0.1 * 0.5 + 0.15 * recency('q6'), ['risk', 'evidence']],
      ['q5', 0.25 * 0.6 + 0.15 * recency('q5'), ['impact']],
      ['q3', 0.1 * 1 + 0.15 * recency('q3'), ['evidence']],
      ['q7a', 0.1 * 1 + 0.15 * recency('q7a'), ['evidence']],
      ['q7b', 0.1 * 1 + 0.15 * recency('q7b'), ['evidence']],
    ];
    expect(res.body.queue.map((q: { run_id: string }) => q.run_id)).toEqual(expected.map(([id]) => id));
    expected.forEach(([id, score, reasons], i) => {
      expect(res.body.queue[i]).toMatchObject({ run_id: id, reasons, state: 'COMPLETED', status: 'completed' });
      expect(res.body.queue[i].attention_score).toBeCloseTo(score, 3);
    });
    const top = await call(ctx, t.keys.read, 'GET', '/activity/attention-queue?limit=2');
    expect(top.body.queue.map((q: { run_id: string }) => q.run_id)).toEqual(['q1', 'q6']);
    expect(top.body.total_attention_items).toBe(6);
    expect((await call(ctx, t.keys.read, 'GET', '/activity/attention-queue?limit=101')).status).toBe(400);
    const empty = await createTenant(ctx);
    expect((await call(ctx, empty.keys.read, 'GET', '/activity/attention-queue')).body).toMatchObject({ queue: [], total_attention_items: 0 });
  });
});

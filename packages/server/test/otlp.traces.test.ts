import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerAuthHook } from '../src/http/auth-hook.ts';
import { otlpRoutes } from '../src/ingest/otlp/otlp.routes.ts';
import { BACKENDS, call, createTenant, type TestContext } from './helpers.ts';
import { exportWith, PROTOCOLS, SpanRecorder, traceExporter, traceIdOf, useListeningApp } from './otlp-helpers.ts';

const AGENT = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage', 'gen_ai.agent.id': 'triage-v2', 'gen_ai.conversation.id': 'conv-42' };
const chat = (input: number, output: number, extra: Record<string, number> = {}) => ({
  'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5',
  'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output, ...extra,
});
const tool = (name: string) => ({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name });

async function runsOfTrace(ctx: TestContext, key: string, traceId: string) {
  const res = await call(ctx, key, 'GET', `/runs?trace_id=${traceId}`);
  expect(res.status).toBe(200);
  return res.body.runs as any[];
}

async function stepsOf(ctx: TestContext, key: string, runId: string) {
  const res = await call(ctx, key, 'GET', `/runs/${runId}/steps`);
  expect(res.status).toBe(200);
  return res.body.steps as any[];
}

describe.each(BACKENDS)('OTLP traces on %s', (backend) => {
  const ctx = useListeningApp(backend);

  describe.each(PROTOCOLS)('through the OpenTelemetry %s exporter (gzip)', (protocol) => {
    it('turns an agent span with model and tool children into a priced run with steps in start order', async () => {
      const t = await createTenant(ctx);
      const rec = new SpanRecorder();
      const root = rec.span('invoke_agent triage', AGENT, 0, 9_000);
      const spans = [
        root,
        rec.span('execute_tool search', tool('search'), 2_000, 2_500, root),
        rec.span('chat claude-sonnet-4-5', chat(900, 50), 3_000, 8_000, root),
        rec.span('chat claude-sonnet-4-5', chat(1_200, 80, { 'gen_ai.usage.cache_read.input_tokens': 200 }), 100, 1_900, root),
      ];
      const result = await exportWith(traceExporter(ctx.url, protocol, t.keys.ingest, true), rec.finished(...spans));
      expect(result).toMatchObject({ code: 0 });

      const [run, ...others] = await runsOfTrace(ctx, t.keys.read, traceIdOf(root));
      expect(others).toHaveLength(0);
      expect(run).toMatchObject({
        status: 'completed', source: 'otlp', agent_id: 'triage-v2', work_unit_name: 'triage', session_id: 'conv-42',
        trace_id: traceIdOf(root), model: 'claude-sonnet-4-5', provider_type: 'anthropic',
        input_tokens: 2_100, output_tokens: 130, cache_read_tokens: 200, cost_source: 'computed',
        started_at: new Date(rec.t0).toISOString(), completed_at: new Date(rec.t0 + 9_000).toISOString(), duration_ms: 9_000,
      });
      // 2,100 input (200 read from the cache) and 130 output at claude-sonnet-4-5's shipped prices.
      expect(run.estimated_cost_usd).toBeCloseTo((1_900 * 3 + 200 * 0.3 + 130 * 15) / 1e6, 9);

      const steps = await stepsOf(ctx, t.keys.read, run.id);
      expect(steps.map((s) => [s.step_index, s.kind, s.skill_name, s.input_tokens, s.output_tokens, s.status])).toEqual([
        [0, 'llm', 'claude-sonnet-4-5', 1_200, 80, 'completed'],
        [1, 'tool', 'search', null, null, 'completed'],
        [2, 'llm', 'claude-sonnet-4-5', 900, 50, 'completed'],
      ]);
      expect(steps[1]).toMatchObject({ duration_ms: 500, started_at: new Date(rec.t0 + 2_000).toISOString(), trace_id: traceIdOf(root) });
    });
  });

  it('fails the run of an error trace with the status message, and marks the failed step', async () => {
    const t = await createTenant(ctx);
    const rec = new SpanRecorder();
    const root = rec.span('invoke_agent triage', { ...AGENT, 'error.type': 'RateLimitError' }, 0, 3_000, undefined, 'upstream rate limited');
    const failedTool = rec.span('execute_tool deploy', { ...tool('deploy'), 'error.type': 'Timeout' }, 500, 2_500, root, 'deploy timed out');
    expect(await exportWith(traceExporter(ctx.url, 'protobuf', t.keys.ingest), rec.finished(root, failedTool))).toMatchObject({ code: 0 });

    const [run] = await runsOfTrace(ctx, t.keys.read, traceIdOf(root));
    expect(run).toMatchObject({ status: 'failed', error: 'upstream rate limited', error_type: 'RateLimitError' });
    const [step] = await stepsOf(ctx, t.keys.read, run.id);
    expect(step).toMatchObject({ kind: 'tool', skill_name: 'deploy', status: 'failed', outcome_code: 'Timeout' });
    const failures = await call(ctx, t.keys.read, 'GET', '/runs?status=failed');
    expect(failures.body.runs.map((r: any) => r.id)).toEqual([run.id]);
  });

  it('merges a trace split over several exports, children first and out of order, into one run in start order', async () => {
    const t = await createTenant(ctx);
    const rec = new SpanRecorder();
    const exporter = traceExporter(ctx.url, 'json', t.keys.ingest);
    const root = rec.span('invoke_agent triage', AGENT, 0, 10_000);
    const http = rec.span('POST /plan', { 'http.request.method': 'POST' }, 1_000, 4_000, root);
    const first = rec.span('chat claude-sonnet-4-5', chat(100, 10), 1_100, 2_000, http);
    const second = rec.span('execute_tool search', tool('search'), 5_000, 6_000, root);
    const third = rec.span('chat claude-sonnet-4-5', chat(300, 30), 6_500, 9_000, root);

    expect(await exportWith(exporter, rec.finished(third, second))).toMatchObject({ code: 0 });
    expect(await exportWith(exporter, rec.finished(first))).toMatchObject({ code: 0 });
    // Nothing is shown before the run's own span arrived: its steps could still come in any order.
    expect(await runsOfTrace(ctx, t.keys.read, traceIdOf(root))).toEqual([]);
    expect(await exportWith(exporter, rec.finished(http, root))).toMatchObject({ code: 0 });

    const runs = await runsOfTrace(ctx, t.keys.read, traceIdOf(root));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'completed', input_tokens: 400, output_tokens: 40 });
    const steps = await stepsOf(ctx, t.keys.read, runs[0].id);
    expect(steps.map((s) => [s.step_index, s.kind, s.started_at])).toEqual([
      [0, 'llm', new Date(rec.t0 + 1_100).toISOString()],
      [1, 'tool', new Date(rec.t0 + 5_000).toISOString()],
      [2, 'llm', new Date(rec.t0 + 6_500).toISOString()],
    ]);

    // A child that ends after its run was written is appended after the last step.
    const late = rec.span('execute_tool notify', tool('notify'), 9_500, 11_000, root);
    expect(await exportWith(exporter, rec.finished(late))).toMatchObject({ code: 0 });
    expect((await stepsOf(ctx, t.keys.read, runs[0].id)).map((s) => [s.step_index, s.skill_name])).toEqual([
      [0, 'claude-sonnet-4-5'], [1, 'search'], [2, 'claude-sonnet-4-5'], [3, 'notify'],
    ]);
  });

  it('changes nothing when the same spans are exported again, whole or in part', async () => {
    const t = await createTenant(ctx);
    const rec = new SpanRecorder();
    const root = rec.span('invoke_agent triage', AGENT, 0, 5_000);
    const children = [rec.span('chat m', chat(10, 1), 100, 200, root), rec.span('execute_tool x', tool('x'), 300, 400, root)];
    const all = rec.finished(root, ...children);
    const exporter = traceExporter(ctx.url, 'protobuf', t.keys.ingest, true);
    expect(await exportWith(exporter, all)).toMatchObject({ code: 0 });
    const [before] = await runsOfTrace(ctx, t.keys.read, traceIdOf(root));
    // The render of an activity is stored in the background: what the export wrote is the rest.
    const written = (rows: Record<string, unknown>[]) => rows.map(({ processing_status: _s, schema_render: _r, processed_at: _p, processing_attempts: _a, processing_error: _e, ...row }) => row);
    const activitiesBefore = written((await call(ctx, t.keys.read, 'GET', '/activities?limit=100')).body.activities);

    expect(await exportWith(exporter, all)).toMatchObject({ code: 0 });
    expect(await exportWith(exporter, [...all].reverse().slice(0, 2))).toMatchObject({ code: 0 });

    expect(await runsOfTrace(ctx, t.keys.read, traceIdOf(root))).toEqual([before]);
    expect(await stepsOf(ctx, t.keys.read, before.id)).toHaveLength(2);
    expect(written((await call(ctx, t.keys.read, 'GET', '/activities?limit=100')).body.activities)).toEqual(activitiesBefore);
  });

  it('makes a lone model call a run of one step, a nested agent a run of its own, and ignores spans that are not GenAI', async () => {
    const t = await createTenant(ctx);
    const rec = new SpanRecorder();
    const lone = rec.span('chat gpt-4o', { ...chat(50, 5), 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' }, 0, 1_000);
    const plain = rec.span('GET /healthz', { 'http.request.method': 'GET' }, 0, 10);
    const outer = rec.span('invoke_agent lead', { ...AGENT, 'gen_ai.agent.name': 'lead', 'gen_ai.agent.id': 'lead-1' }, 0, 5_000);
    const inner = rec.span('invoke_agent helper', { ...AGENT, 'gen_ai.agent.name': 'helper', 'gen_ai.agent.id': 'helper-1' }, 1_000, 3_000, outer);
    const innerChat = rec.span('chat', chat(70, 7), 1_500, 2_500, inner);
    const spans = rec.finished(lone, plain, outer, inner, innerChat);
    expect(await exportWith(traceExporter(ctx.url, 'protobuf', t.keys.ingest), spans)).toMatchObject({ code: 0 });

    const [single] = await runsOfTrace(ctx, t.keys.read, traceIdOf(lone));
    expect(single).toMatchObject({ status: 'completed', model: 'gpt-4o', provider_type: 'openai', input_tokens: 50, work_unit_name: 'chat gpt-4o' });
    expect((await stepsOf(ctx, t.keys.read, single.id)).map((s) => s.kind)).toEqual(['llm']);
    expect(await runsOfTrace(ctx, t.keys.read, traceIdOf(plain))).toEqual([]);

    const nested = await runsOfTrace(ctx, t.keys.read, traceIdOf(outer));
    const lead = nested.find((r) => r.agent_id === 'lead-1');
    const helper = nested.find((r) => r.agent_id === 'helper-1');
    expect(helper).toMatchObject({ input_tokens: 70, metadata: { otlp: { parent_run_id: lead.id } } });
    expect(lead.input_tokens).toBeNull();
    expect((await stepsOf(ctx, t.keys.read, lead.id)).map((s) => [s.kind, s.skill_name])).toEqual([['agent', 'helper']]);
  });

  it('gives a parent run its nested agent step when the nested agent arrived and was written first', async () => {
    const t = await createTenant(ctx);
    const rec = new SpanRecorder();
    const exporter = traceExporter(ctx.url, 'protobuf', t.keys.ingest);
    const outer = rec.span('invoke_agent lead', { ...AGENT, 'gen_ai.agent.name': 'lead', 'gen_ai.agent.id': 'lead-1' }, 0, 5_000);
    const before = rec.span('chat', chat(5, 1), 100, 200, outer);
    const inner = rec.span('invoke_agent helper', { ...AGENT, 'gen_ai.agent.name': 'helper', 'gen_ai.agent.id': 'helper-1' }, 1_000, 3_000, outer);
    const innerTool = rec.span('execute_tool grep', tool('grep'), 1_500, 2_500, inner);
    expect(await exportWith(exporter, rec.finished(innerTool, inner))).toMatchObject({ code: 0 });
    const [helper] = await runsOfTrace(ctx, t.keys.read, traceIdOf(outer));
    expect(helper).toMatchObject({ agent_id: 'helper-1', status: 'completed' });
    expect(await exportWith(exporter, rec.finished(before, outer))).toMatchObject({ code: 0 });

    const lead = (await runsOfTrace(ctx, t.keys.read, traceIdOf(outer))).find((r) => r.agent_id === 'lead-1');
    expect((await stepsOf(ctx, t.keys.read, lead.id)).map((s) => [s.step_index, s.kind, s.skill_name])).toEqual([[0, 'llm', 'claude-sonnet-4-5'], [1, 'agent', 'helper']]);
    expect((await stepsOf(ctx, t.keys.read, helper.id)).map((s) => s.skill_name)).toEqual(['grep']);
  });

  it('refuses an export without a key (401) or without the ingest scope (403), answering in the request encoding', async () => {
    const t = await createTenant(ctx);
    const rec = new SpanRecorder();
    const root = rec.span('invoke_agent triage', AGENT, 0, 1_000);
    const missing = await exportWith(traceExporter(ctx.url, 'protobuf', null), rec.finished(root));
    expect(missing.code).not.toBe(0);
    expect(String(missing.error?.message)).toMatch(/401|Unauthorized/i);
    const readOnly = await exportWith(traceExporter(ctx.url, 'json', t.keys.read), rec.finished(root));
    expect(readOnly.code).not.toBe(0);

    const res = await fetch(`${ctx.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 16, message: expect.stringContaining('API key') });
    expect(await runsOfTrace(ctx, t.keys.read, traceIdOf(root))).toEqual([]);
  });

  it('answers 400 for an undecodable body, names rejected spans, and reads chunked uploads', async () => {
    const t = await createTenant(ctx);
    const headers = (type: string) => ({ authorization: `Bearer ${t.keys.ingest}`, 'content-type': type });
    const garbage = await fetch(`${ctx.url}/v1/traces`, { method: 'POST', headers: headers('application/x-protobuf'), body: new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x01]) });
    expect(garbage.status).toBe(400);
    expect(garbage.headers.get('content-type')).toContain('application/x-protobuf');
    const badJson = await fetch(`${ctx.url}/v1/traces`, { method: 'POST', headers: headers('application/json'), body: '{"resourceSpans": [' });
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).code).toBe(3);
    const text = await fetch(`${ctx.url}/v1/traces`, { method: 'POST', headers: headers('text/plain'), body: 'hello' });
    expect(text.status).toBe(415);

    const traceId = 'ab'.repeat(16);
    const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [
      { traceId, spanId: '0102030405060708', name: 'chat', startTimeUnixNano: '1768467600000000000', endTimeUnixNano: '1768467601000000000',
        attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }, { key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } }] },
      { traceId: 'zz', spanId: '0102030405060709', name: 'broken' },
      { traceId, spanId: '', name: 'no id' },
    ] }] }] });
    const notHex = await fetch(`${ctx.url}/v1/traces`, { method: 'POST', headers: headers('application/json'), body });
    expect(notHex.status).toBe(400);
    expect((await notHex.json()).message).toContain('traceId');

    const valid = JSON.parse(body);
    valid.resourceSpans[0].scopeSpans[0].spans.splice(1, 1);
    const text2 = JSON.stringify(valid);
    // A body sent as a stream goes out with Transfer-Encoding: chunked.
    const chunks = [text2.slice(0, 40), text2.slice(40)];
    const stream = new ReadableStream({ pull(c) { const next = chunks.shift(); if (next) c.enqueue(new TextEncoder().encode(next)); else c.close(); } });
    const partial = await fetch(`${ctx.url}/v1/traces`, { method: 'POST', headers: headers('application/json'), body: stream, duplex: 'half' } as RequestInit);
    expect(partial.status).toBe(200);
    expect(await partial.json()).toMatchObject({ partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining('without a valid trace id') } });
    const [run] = await runsOfTrace(ctx, t.keys.read, traceId);
    expect(run).toMatchObject({ status: 'completed', input_tokens: 12 });
  });

  it('answers 429 with Retry-After when the node is at its limit of exports, so exporters back off and retry', async () => {
    const t = await createTenant(ctx);
    // The same routes on the same services, with no room for any export.
    const full = Fastify() as unknown as FastifyInstance;
    registerAuthHook(full, ctx.services.auth, ctx.services.sessions);
    await full.register(otlpRoutes, { db: ctx.db, writes: ctx.services.writes, publish: ctx.services.bus.publish, maxInFlight: 0 });
    try {
      const res = await full.inject({ method: 'POST', url: '/v1/traces', headers: { authorization: `Bearer ${t.keys.ingest}`, 'content-type': 'application/json' }, payload: '{}' });
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json()).toMatchObject({ code: 8, message: expect.stringContaining('retry') });
    } finally {
      await full.close();
    }
  });

  it('lists the OTLP routes in the OpenAPI document', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/traces', '/v1/logs', '/v1/metrics', '/api/v1/sessions/{id}/usage']));
  });
});

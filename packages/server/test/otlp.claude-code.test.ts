import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, type TestContext } from './helpers.ts';
import { exportWith, useListeningApp, type Protocol } from './otlp-helpers.ts';

/** The resource Claude Code puts on its telemetry. */
const resource = resourceFromAttributes({ 'service.name': 'claude-code', 'service.version': '2.0.14' });

/** Claude Code events as its monitoring documentation describes them: body claude_code.<name>, attributes as strings. */
class ClaudeCodeEvents {
  private readonly memory = new InMemoryLogRecordExporter();
  private readonly logger = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor(this.memory)] }).getLogger('com.anthropic.claude_code.events');
  private sequence = 0;
  constructor(readonly sessionId: string, readonly promptId = randomUUID()) {}

  emit(name: string, attributes: Record<string, string>, at = new Date()): ReadableLogRecord {
    this.logger.emit({
      body: `claude_code.${name}`,
      timestamp: at,
      attributes: {
        'event.name': name, 'event.timestamp': at.toISOString(), 'event.sequence': this.sequence++,
        'session.id': this.sessionId, 'prompt.id': this.promptId, 'user.account_uuid': 'acct-1', 'terminal.type': 'vscode', ...attributes,
      },
    });
    return this.memory.getFinishedLogRecords().at(-1)!;
  }
}

function logExporter(url: string, protocol: Protocol, key: string) {
  const options = { url: `${url}/v1/logs`, headers: { Authorization: `Bearer ${key}` } };
  return protocol === 'protobuf' ? new ProtoLogExporter(options) : new JsonLogExporter(options);
}

/** A reader the test collects by hand, so each export holds exactly what the test added. */
class ManualReader extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

function claudeCodeMeter(temporality: AggregationTemporality) {
  const reader = new ManualReader({ aggregationTemporalitySelector: () => temporality });
  const meter = new MeterProvider({ resource, readers: [reader] }).getMeter('com.anthropic.claude_code');
  return {
    cost: meter.createCounter('claude_code.cost.usage', { unit: 'USD' }),
    tokens: meter.createCounter('claude_code.token.usage', { unit: 'tokens' }),
    collect: async () => (await reader.collect()).resourceMetrics,
  };
}

function metricExporter(url: string, protocol: Protocol, key: string) {
  const options = { url: `${url}/v1/metrics`, headers: { Authorization: `Bearer ${key}` }, compression: 'gzip' as never };
  return protocol === 'protobuf' ? new ProtoMetricExporter(options) : new JsonMetricExporter(options);
}

function exportMetrics(exporter: ReturnType<typeof metricExporter>, metrics: ResourceMetrics) {
  return new Promise<{ code: number }>((resolve) => exporter.export(metrics, resolve));
}

async function sessionActivities(ctx: TestContext, key: string, sessionId: string) {
  const res = await call(ctx, key, 'GET', `/activities?session_id=${sessionId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.activities as any[];
}

function hook(ctx: TestContext, key: string, payload: Record<string, unknown>) {
  return call(ctx, key, 'POST', '/hooks/claude-code', payload);
}

describe.each(BACKENDS)('Claude Code telemetry on %s', (backend) => {
  const ctx = useListeningApp(backend);

  it.each(['protobuf', 'json'] as const)('merges %s tool events with the hook activity of the same tool_use_id, whichever arrives first', async (protocol) => {
    const t = await createTenant(ctx);
    const session = `sess-${randomUUID()}`;
    const events = new ClaudeCodeEvents(session);
    const exporter = logExporter(ctx.url, protocol, t.keys.ingest);
    const input = { command: 'npm test', description: 'Run the tests' };

    // Hook first (toolu_1): the telemetry lands on the hook's activities.
    expect((await hook(ctx, t.keys.ingest, { hook_event_name: 'PreToolUse', session_id: session, tool_name: 'Bash', tool_use_id: 'toolu_1', tool_input: input })).status).toBe(201);
    expect((await hook(ctx, t.keys.ingest, { hook_event_name: 'PostToolUse', session_id: session, tool_name: 'Bash', tool_use_id: 'toolu_1', tool_input: input, tool_response: { stdout: 'ok' } })).status).toBe(201);
    const records = [
      events.emit('user_prompt', { prompt_length: '18' }),
      events.emit('tool_decision', { tool_name: 'Bash', tool_use_id: 'toolu_1', decision: 'accept', source: 'config' }),
      events.emit('tool_result', { tool_name: 'Bash', tool_use_id: 'toolu_1', success: 'true', duration_ms: '1234', decision_type: 'accept' }),
      events.emit('api_request', { model: 'claude-sonnet-4-5', cost_usd: '0.0123', duration_ms: '2100', input_tokens: '1500', output_tokens: '90', cache_read_tokens: '1000', cache_creation_tokens: '0' }),
      // Telemetry first (toolu_2): the hook takes its activity over when it arrives.
      events.emit('tool_result', { tool_name: 'Read', tool_use_id: 'toolu_2', success: 'false', duration_ms: '15', error: 'ENOENT' }),
    ];
    expect(await exportWith(exporter, records)).toMatchObject({ code: 0 });
    expect((await hook(ctx, t.keys.ingest, { hook_event_name: 'PreToolUse', session_id: session, tool_name: 'Read', tool_use_id: 'toolu_2', tool_input: { file_path: '/src/a.ts' } })).status).toBe(201);
    const post = await hook(ctx, t.keys.ingest, { hook_event_name: 'PostToolUseFailure', session_id: session, tool_name: 'Read', tool_use_id: 'toolu_2', tool_input: { file_path: '/src/a.ts' }, error: 'ENOENT' });
    expect(post.status).toBe(200);

    // A re-export of the same events adds nothing.
    expect(await exportWith(exporter, records)).toMatchObject({ code: 0 });

    const all = await sessionActivities(ctx, t.keys.read, session);
    const tools = all.filter((a) => a.type === 'tool');
    expect(tools.map((a) => a.id).sort()).toEqual([`cc:${session}:toolu_1:post`, `cc:${session}:toolu_1:pre`, `cc:${session}:toolu_2:post`, `cc:${session}:toolu_2:pre`]);
    const byId = new Map(tools.map((a) => [a.id, a]));
    expect(byId.get(`cc:${session}:toolu_1:post`)).toMatchObject({
      status: 'success', target_name: 'npm test',
      data: { hook_event_name: 'PostToolUse', telemetry: { event: 'claude_code.tool_result', duration_ms: '1234', success: 'true' } },
    });
    expect(byId.get(`cc:${session}:toolu_1:pre`).data.telemetry).toMatchObject({ event: 'claude_code.tool_decision', decision: 'accept' });
    expect(byId.get(`cc:${session}:toolu_2:post`)).toMatchObject({
      status: 'failed', duration_ms: 15, target_name: '/src/a.ts',
      data: { hook_event_name: 'PostToolUseFailure', telemetry: { error: 'ENOENT' } },
    });

    const others = all.filter((a) => a.type !== 'tool').map((a) => [a.type, a.action_name, a.target_name, a.status]);
    expect(others.sort()).toEqual([['api', 'api_request', 'claude-sonnet-4-5', 'success'], ['prompt', 'user_prompt', null, null]]);
    expect(all.find((a) => a.type === 'api')).toMatchObject({ source: 'claude-code', duration_ms: 2100, data: { telemetry: { cost_usd: '0.0123', input_tokens: '1500' } } });
  });

  it('rolls delta cost and token metrics up per session and model; a re-export counts once', async () => {
    const t = await createTenant(ctx);
    const session = `sess-${randomUUID()}`;
    const meter = claudeCodeMeter(AggregationTemporality.DELTA);
    const exporter = metricExporter(ctx.url, 'protobuf', t.keys.ingest);
    const at = (model: string, extra: Record<string, string> = {}) => ({ 'session.id': session, 'user.account_uuid': 'acct-1', model, ...extra });

    meter.cost.add(0.25, at('claude-sonnet-4-5'));
    meter.tokens.add(1000, at('claude-sonnet-4-5', { type: 'input' }));
    meter.tokens.add(100, at('claude-sonnet-4-5', { type: 'output' }));
    const first = await meter.collect();
    expect(await exportMetrics(exporter, first)).toMatchObject({ code: 0 });
    meter.cost.add(0.5, at('claude-sonnet-4-5'));
    meter.cost.add(0.125, at('claude-haiku-4-5'));
    meter.tokens.add(500, at('claude-sonnet-4-5', { type: 'input' }));
    meter.tokens.add(800, at('claude-sonnet-4-5', { type: 'cacheRead' }));
    meter.tokens.add(40, at('claude-haiku-4-5', { type: 'cacheCreation' }));
    expect(await exportMetrics(exporter, await meter.collect())).toMatchObject({ code: 0 });
    expect(await exportMetrics(exporter, first)).toMatchObject({ code: 0 });

    const usage = await call(ctx, t.keys.read, 'GET', `/sessions/${session}/usage`);
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({ session_id: session, input_tokens: 1500, output_tokens: 100, cache_read_tokens: 800, cache_creation_tokens: 40 });
    expect(usage.body.cost_usd).toBeCloseTo(0.875, 9);
    expect(usage.body.by_model).toEqual([
      { model: 'claude-haiku-4-5', cost_usd: 0.125, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_creation_tokens: 40 },
      { model: 'claude-sonnet-4-5', cost_usd: 0.75, input_tokens: 1500, output_tokens: 100, cache_read_tokens: 800, cache_creation_tokens: 0 },
    ]);
    const other = await createTenant(ctx);
    expect((await call(ctx, other.keys.read, 'GET', `/sessions/${session}/usage`)).body).toMatchObject({ cost_usd: 0, by_model: [] });
  });

  it('reads cumulative metrics as running totals (the latest point counts, not their sum)', async () => {
    const t = await createTenant(ctx);
    const session = `sess-${randomUUID()}`;
    const meter = claudeCodeMeter(AggregationTemporality.CUMULATIVE);
    const exporter = metricExporter(ctx.url, 'json', t.keys.ingest);
    meter.cost.add(1, { 'session.id': session, model: 'claude-opus-4-5' });
    expect(await exportMetrics(exporter, await meter.collect())).toMatchObject({ code: 0 });
    meter.cost.add(2, { 'session.id': session, model: 'claude-opus-4-5' });
    meter.tokens.add(300, { 'session.id': session, model: 'claude-opus-4-5', type: 'output' });
    expect(await exportMetrics(exporter, await meter.collect())).toMatchObject({ code: 0 });

    const usage = (await call(ctx, t.keys.read, 'GET', `/sessions/${session}/usage`)).body;
    expect(usage).toMatchObject({ cost_usd: 3, output_tokens: 300 });
  });
});

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { context, trace, type Span } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { buildApp } from '../packages/server/src/app.ts';
import type { Database } from '../packages/server/src/db/database.ts';
import { createLogger } from '../packages/server/src/logger.ts';
import { eachBackend, type Backend } from './lib/backends.ts';
import { fmtInt, fmtMs, fmtRate, intEnv, machineLine, percentile, rate, row } from './lib/common.ts';

/**
 * OTLP trace ingestion: spans per second through POST /v1/traces (protobuf, exports of 512
 * spans as the OpenTelemetry SDK's batch processor sends them), beside POST /ingest carrying
 * the same runs and steps as JSON items. Each trace is an agent span with model and tool
 * calls below it; /v1/traces also keeps every span by id and numbers the steps, which is the
 * price of accepting spans in any order and any number of times.
 */

const SPANS_PER_EXPORT = 512;
const CHILDREN = 7; // 4 model calls and 3 tool calls under each agent span
const SPANS_PER_TRACE = CHILDREN + 1;
const INGEST_ITEMS = 999; // /ingest takes 1,000 items; 3 items a trace
const WARMUP_TRACES = 128;

interface Settings { traces: number; clients: number; backends: string[] }

function settings(): Settings {
  const traces = intEnv('BENCH_OTLP_TRACES', 4_096);
  return {
    traces: Math.ceil(traces / (SPANS_PER_EXPORT / SPANS_PER_TRACE)) * (SPANS_PER_EXPORT / SPANS_PER_TRACE),
    clients: intEnv('BENCH_OTLP_CLIENTS', 4),
    backends: (process.env.BENCH_BACKENDS ?? 'pglite,postgres').split(',').map((b) => b.trim()).filter(Boolean),
  };
}

const start = Date.now() - 3_600_000;
const chatAttrs = (i: number) => ({
  'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5',
  'gen_ai.usage.input_tokens': 1_000 + i, 'gen_ai.usage.output_tokens': 50 + i,
});

/** `count` agent traces recorded by the real SDK, serialised into protobuf exports of 512 spans. */
function traceExports(count: number): { bodies: Uint8Array[]; traceIds: string[] } {
  const memory = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('bench');
  const traceIds: string[] = [];
  for (let t = 0; t < count; t++) {
    const t0 = start + t * 10;
    const root: Span = tracer.startSpan('invoke_agent triage', {
      root: true, startTime: t0, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage', 'gen_ai.agent.id': 'triage-v2' },
    });
    const ctx = trace.setSpan(context.active(), root);
    for (let c = 0; c < CHILDREN; c++) {
      const attributes = c % 2 === 0 ? chatAttrs(c) : { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': `tool-${c}` };
      tracer.startSpan(c % 2 === 0 ? 'chat' : 'execute_tool', { startTime: t0 + c, attributes }, ctx).end(t0 + c + 1);
    }
    root.end(t0 + CHILDREN + 2);
    traceIds.push(root.spanContext().traceId);
  }
  const spans = memory.getFinishedSpans();
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < spans.length; i += SPANS_PER_EXPORT) bodies.push(ProtobufTraceSerializer.serializeRequest(spans.slice(i, i + SPANS_PER_EXPORT))!);
  return { bodies, traceIds };
}

/** The same runs and steps as /ingest items: create running, append 7 steps, complete with the summed tokens. */
function ingestBatches(prefix: string, count: number): string[] {
  const items: unknown[] = [];
  for (let t = 0; t < count; t++) {
    const id = `${prefix}-${t}`;
    const t0 = start + t * 10;
    const steps = Array.from({ length: CHILDREN }, (_, c) => (c % 2 === 0
      ? { step_index: c, kind: 'llm', skill_name: 'claude-sonnet-4-5', model: 'claude-sonnet-4-5', input_tokens: 1_000 + c, output_tokens: 50 + c, duration_ms: 1, started_at: new Date(t0 + c).toISOString() }
      : { step_index: c, kind: 'tool', skill_name: `tool-${c}`, duration_ms: 1, started_at: new Date(t0 + c).toISOString() }));
    items.push(
      { type: 'run.create', id, body: { status: 'running', started_at: new Date(t0).toISOString(), agent_id: 'triage-v2', work_unit_name: 'triage', source: 'bench', model: 'claude-sonnet-4-5', provider_type: 'anthropic' } },
      { type: 'steps.append', id, body: { steps } },
      { type: 'run.complete', id, body: { completed_at: new Date(t0 + CHILDREN + 2).toISOString(), input_tokens: 4_012, output_tokens: 212, step_count: CHILDREN } },
    );
  }
  const batches: string[] = [];
  for (let i = 0; i < items.length; i += INGEST_ITEMS) batches.push(JSON.stringify({ items: items.slice(i, i + INGEST_ITEMS) }));
  return batches;
}

interface Target { baseUrl: string; key: string }

async function postOtlp(target: Target, body: Uint8Array): Promise<void> {
  const res = await fetch(`${target.baseUrl}/v1/traces`, {
    method: 'POST', headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/x-protobuf' }, body: Buffer.from(body),
  });
  const answer = new Uint8Array(await res.arrayBuffer());
  // An empty ExportTraceServiceResponse is full success; partial_success would add bytes.
  if (res.status !== 200 || answer.length > 0) throw new Error(`/v1/traces answered ${res.status} (${answer.length} bytes)`);
}

async function postIngest(target: Target, body: string): Promise<void> {
  const res = await fetch(`${target.baseUrl}/api/v1/ingest`, {
    method: 'POST', headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' }, body,
  });
  const answer = (await res.json()) as { results?: { status: number; message?: string }[] };
  const bad = answer.results?.find((r) => r.status >= 300);
  if (res.status !== 200 || bad) throw new Error(`/ingest answered ${res.status}: ${bad?.message ?? ''}`);
}

async function send<T>(bodies: T[], clients: number, post: (body: T) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const s = performance.now();
      await post(body);
      latencies.push(performance.now() - s);
    }
  }));
  return { elapsedMs: performance.now() - t0, latencies };
}

async function count(db: Database, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql, params);
  return rows[0]!.n;
}

/** The figures only count if every run is completed with its seven steps. */
async function verify(db: Database, tenantId: string, runIds: string[], traces: number): Promise<void> {
  const runs = await count(db, `SELECT count(*)::int AS n FROM runs WHERE tenant_id = $1 AND id = ANY($2::text[]) AND status = 'completed'`, [tenantId, runIds]);
  const steps = await count(db, `SELECT count(*)::int AS n FROM trace_steps WHERE tenant_id = $1 AND run_id = ANY($2::text[])`, [tenantId, runIds]);
  if (runs !== traces || steps !== traces * CHILDREN) throw new Error(`expected ${traces} runs and ${traces * CHILDREN} steps, found ${runs} and ${steps}`);
}

async function runIdsOfTraces(db: Database, tenantId: string, traceIds: string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM runs WHERE tenant_id = $1 AND trace_id = ANY($2::text[])`, [tenantId, traceIds]);
  return rows.map((r) => r.id);
}

const COLUMNS: Array<[string, number]> = [['backend', 9], ['route', 26], ['spans (runs+steps)', 19], ['request p50 / p99', 20], ['spans/s', 10]];

function printRow(cells: string[]): void {
  console.log(row(cells.map((text, i) => [text, COLUMNS[i]![1]])));
}

async function benchBackend(backend: Backend, s: Settings): Promise<void> {
  console.log(`-- ${backend.name}: ${backend.detail}`);
  const { app, services } = await buildApp({ db: backend.db, logger: createLogger('silent'), realtime: backend.realtime });
  try {
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    const tenant = await services.auth.ensureTenant(`bench-${randomBytes(4).toString('hex')}`);
    const target = { baseUrl, key: (await services.auth.createKey({ tenantId: tenant.id, name: 'bench', scopes: ['ingest'] })).key };

    const warm = traceExports(WARMUP_TRACES);
    await send(warm.bodies, s.clients, (b) => postOtlp(target, b));
    await send(ingestBatches('warm', WARMUP_TRACES), s.clients, (b) => postIngest(target, b));

    const spans = s.traces * SPANS_PER_TRACE;
    const otlp = traceExports(s.traces);
    const o = await send(otlp.bodies, s.clients, (b) => postOtlp(target, b));
    await verify(backend.db, tenant.id, await runIdsOfTraces(backend.db, tenant.id, otlp.traceIds), s.traces);
    printRow([backend.name, `/v1/traces protobuf ×${SPANS_PER_EXPORT}`, fmtInt(spans), `${fmtMs(percentile(o.latencies, 50))} / ${fmtMs(percentile(o.latencies, 99))}`, fmtRate(rate(spans, o.elapsedMs))]);

    const i = await send(ingestBatches('bench', s.traces), s.clients, (b) => postIngest(target, b));
    await verify(backend.db, tenant.id, Array.from({ length: s.traces }, (_, t) => `bench-${t}`), s.traces);
    printRow([backend.name, `/ingest JSON ×${INGEST_ITEMS} items`, fmtInt(spans), `${fmtMs(percentile(i.latencies, 50))} / ${fmtMs(percentile(i.latencies, 99))}`, fmtRate(rate(spans, i.elapsedMs))]);
  } finally {
    await app.close();
  }
}

export async function main(): Promise<void> {
  const s = settings();
  console.log('Runlog OTLP trace ingestion benchmark');
  console.log(machineLine());
  console.log(`traces: ${fmtInt(s.traces)} agent traces of ${SPANS_PER_TRACE} spans (1 invoke_agent, 4 chat, 3 execute_tool) = ${fmtInt(s.traces * SPANS_PER_TRACE)} spans, ${s.clients} concurrent clients, after ${WARMUP_TRACES} warm-up traces`);
  console.log(`/v1/traces: protobuf exports of ${SPANS_PER_EXPORT} spans serialised by @opentelemetry/otlp-transformer; /ingest: the same runs and steps as run.create + steps.append + run.complete items`);
  console.log('');
  printRow(COLUMNS.map(([title]) => title));
  await eachBackend(s.backends, (backend) => benchBackend(backend, s));
}

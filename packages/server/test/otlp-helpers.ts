import { context, trace, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { beforeAll } from 'vitest';
import { useApp, type Backend, type TestContext } from './helpers.ts';

export type Protocol = 'protobuf' | 'json';
export const PROTOCOLS: Protocol[] = ['protobuf', 'json'];

/** The whole app listening on a random port: exporters talk to it over real HTTP. */
export function useListeningApp(backend: Backend): TestContext & { url: string } {
  const ctx = useApp(backend) as TestContext & { url: string };
  beforeAll(async () => {
    ctx.url = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  });
  return ctx;
}

export interface ExportResult {
  code: number;
  error?: Error;
}

/** An exporter's export() as a promise (code 0 is success). */
export function exportWith<T>(exporter: { export(items: T[], done: (r: ExportResult) => void): void }, items: T[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}

export function traceExporter(url: string, protocol: Protocol, key: string | null, gzip = false) {
  const options = {
    url: `${url}/v1/traces`,
    headers: (key ? { Authorization: `Bearer ${key}` } : {}) as Record<string, string>,
    compression: (gzip ? 'gzip' : 'none') as never,
  };
  return protocol === 'protobuf' ? new ProtoTraceExporter(options) : new JsonTraceExporter(options);
}

/**
 * Records spans with chosen times and parents through the real SDK, and hands them out as
 * ReadableSpans so a test decides which export carries which span, in which order.
 */
export class SpanRecorder {
  private readonly memory = new InMemorySpanExporter();
  private readonly tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.memory)] }).getTracer('runlog-test');
  readonly t0 = Date.UTC(2026, 0, 15, 9, 0, 0);

  /** A span from t0+startMs to t0+endMs, below `parent` (a root without one). */
  span(name: string, attributes: Attributes, startMs: number, endMs: number, parent?: Span, error?: string): Span {
    const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
    const span = this.tracer.startSpan(name, { attributes, startTime: this.t0 + startMs, root: !parent }, ctx);
    if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    span.end(this.t0 + endMs);
    return span;
  }

  /** The recorded spans among `spans`, as an exporter receives them. */
  finished(...spans: Span[]): ReadableSpan[] {
    const ids = new Set(spans.map((s) => s.spanContext().spanId));
    return this.memory.getFinishedSpans().filter((s) => ids.has(s.spanContext().spanId));
  }
}

export const traceIdOf = (span: Span) => span.spanContext().traceId;

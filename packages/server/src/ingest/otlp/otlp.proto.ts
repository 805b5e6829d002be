import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { AppError } from '../../errors.ts';

/**
 * OTLP messages from the protobuf definitions OpenTelemetry JS ships (the generated root of
 * @opentelemetry/otlp-transformer, built from the official opentelemetry-proto files). The
 * version is pinned: the path is inside the package.
 */
const require = createRequire(import.meta.url);
type Collector = Record<'trace' | 'logs' | 'metrics', { v1: Record<string, protobuf.Type> }>;

export type Signal = 'traces' | 'logs' | 'metrics';
export type Encoding = 'protobuf' | 'json';

/** The message types, loaded on the first OTLP request (the generated root is large to load at start). */
let loaded: ReturnType<typeof load> | null = null;
function load() {
  const collector = (require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
    opentelemetry: { proto: { collector: Collector } };
  }).opentelemetry.proto.collector;
  return {
    traces: { request: collector.trace.v1.ExportTraceServiceRequest!, response: collector.trace.v1.ExportTraceServiceResponse!, rejected: 'rejectedSpans' },
    logs: { request: collector.logs.v1.ExportLogsServiceRequest!, response: collector.logs.v1.ExportLogsServiceResponse!, rejected: 'rejectedLogRecords' },
    metrics: { request: collector.metrics.v1.ExportMetricsServiceRequest!, response: collector.metrics.v1.ExportMetricsServiceResponse!, rejected: 'rejectedDataPoints' },
  } as const;
}
const messages = () => (loaded ??= load());

/** google.rpc.Status, the body of an OTLP error answer (not part of the OTLP package). */
const Status = protobuf.Root.fromJSON({
  nested: { Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } } },
}).lookupType('Status');

export class UndecodableError extends AppError {
  constructor(signal: Signal, encoding: Encoding, reason: string) {
    super(400, 'undecodable', `the body is not an OTLP ${signal} export request in ${encoding === 'json' ? 'JSON' : 'protobuf'}: ${reason}`);
  }
}

// OTLP/JSON writes trace and span ids as hex, where protobuf JSON would use base64.
const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

function hexIdsToBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIdsToBytes);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (ID_FIELDS.has(key) && typeof item === 'string') {
      if (!HEX.test(item)) throw new Error(`${key} "${item.slice(0, 64)}" is not hex`);
      out[key] = Buffer.from(item, 'hex');
    } else out[key] = hexIdsToBytes(item);
  }
  return out;
}

/** The decoded request: the message object protobufjs builds (camelCase fields, Long or number int64s, Buffer ids). */
export function decodeRequest(signal: Signal, encoding: Encoding, body: Buffer): unknown {
  const type = messages()[signal].request;
  try {
    if (encoding === 'protobuf') return type.decode(body);
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected a JSON object');
    return type.fromObject(hexIdsToBytes(parsed) as Record<string, unknown>);
  } catch (err) {
    throw new UndecodableError(signal, encoding, (err as Error).message);
  }
}

/** The export answer; a partial success names how many items were rejected and why. */
export function encodeResponse(signal: Signal, encoding: Encoding, rejected: number, message: string): Buffer | Record<string, unknown> {
  const { response, rejected: field } = messages()[signal];
  const partial = rejected > 0 || message ? { partialSuccess: { [field]: rejected, errorMessage: message } } : {};
  if (encoding === 'json') return partial;
  return Buffer.from(response.encode(response.fromObject(partial)).finish());
}

/** An error answer: google.rpc.Status with the HTTP status as its code. */
export function encodeStatus(encoding: Encoding, code: number, message: string): Buffer | Record<string, unknown> {
  if (encoding === 'json') return { code, message };
  return Buffer.from(Status.encode(Status.fromObject({ code, message })).finish());
}

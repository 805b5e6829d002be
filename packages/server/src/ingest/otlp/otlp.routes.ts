import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isUnavailableError } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { authOf } from '../../http/auth-hook.ts';
import type { AuthContext } from '../../domain/auth/auth.types.ts';
import type { Database } from '../../db/database.ts';
import type { WriteService } from '../../domain/write/write.service.ts';
import type { LiveEvent } from '../../events/live-events.ts';
import { createTelemetryService } from '../claude-code/telemetry.service.ts';
import { decodedBody, encodingOf, registerRawBody, UnsupportedMediaTypeError } from './otlp.body.ts';
import { decodeRequest, encodeResponse, encodeStatus, type Encoding, type Signal } from './otlp.proto.ts';
import { createOtlpService, type ExportOutcome } from './otlp.service.ts';

export interface OtlpRoutesOptions {
  db: Database;
  writes: Pick<WriteService, 'apply'>;
  publish: (events: LiveEvent[]) => void;
  /** Largest body, compressed and decompressed. */
  bodyLimitBytes?: number;
  /** Exports processed at once by this node; more are answered 429 so exporters back off and retry. */
  maxInFlight?: number;
}

/** gRPC status codes for google.rpc.Status, by HTTP status (OTLP/HTTP error bodies). */
const GRPC_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 413: 3, 415: 3, 429: 8, 503: 14 };
const RETRY_AFTER_S = { 429: 1, 503: 5 } as const;

const ExportResponse = Type.Object({
  partialSuccess: Type.Optional(Type.Object({
    rejectedSpans: Type.Optional(Type.Integer()),
    rejectedLogRecords: Type.Optional(Type.Integer()),
    rejectedDataPoints: Type.Optional(Type.Integer()),
    errorMessage: Type.Optional(Type.String()),
  })),
}, { description: 'ExportServiceResponse; application/x-protobuf when the request was protobuf' });
const Status = Type.Object({ code: Type.Integer(), message: Type.String() }, { description: 'google.rpc.Status, in the request\'s encoding' });

function send(reply: FastifyReply, encoding: Encoding, body: Buffer | Record<string, unknown>) {
  return reply.type(encoding === 'json' ? 'application/json' : 'application/x-protobuf').send(body);
}

/** Errors answered as OTLP asks: a Status in the request's encoding, Retry-After on 429 and 503. */
function otlpErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const encoding = encodingOf(request) ?? 'json';
  let status = 500;
  let message = 'internal error; see the server log';
  if (err instanceof AppError) [status, message] = [err.statusCode, err.message];
  else if (isUnavailableError(err)) [status, message] = [503, 'the database is unavailable; retry shortly'];
  else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') [status, message] = [413, err.message];
  else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) [status, message] = [err.statusCode, err.message];
  if (status >= 500) request.log.error({ err }, 'OTLP export failed');
  const retryAfter = RETRY_AFTER_S[status as 429 | 503];
  if (retryAfter) reply.header('Retry-After', String(retryAfter));
  reply.status(status);
  return send(reply, encoding, encodeStatus(encoding, GRPC_CODES[status] ?? 13, message));
}

/**
 * OTLP/HTTP receivers (SPEC §4): POST /v1/traces, /v1/logs, /v1/metrics at the server root,
 * protobuf or JSON, gzip or not, authenticated by an ingest key like /ingest.
 */
export async function otlpRoutes(app: FastifyInstance, options: OtlpRoutesOptions): Promise<void> {
  const { bodyLimitBytes = 5 * 1024 * 1024, maxInFlight = 32 } = options;
  const traces = createOtlpService(options);
  const telemetry = createTelemetryService(options);
  const handlers: Record<Signal, (auth: AuthContext, request: never) => Promise<ExportOutcome>> = {
    traces: traces.exportTraces,
    logs: telemetry.exportLogs,
    metrics: telemetry.exportMetrics,
  };
  let inFlight = 0;

  registerRawBody(app, bodyLimitBytes);
  app.setErrorHandler(otlpErrorHandler);

  for (const signal of ['traces', 'logs', 'metrics'] as const) {
    app.post(`/v1/${signal}`, {
      config: { scope: 'ingest' },
      bodyLimit: bodyLimitBytes,
      schema: {
        tags: ['ingest'],
        summary: `OTLP/HTTP ${signal} export (protobuf or JSON, gzip)`,
        description: signal === 'traces'
          ? 'GenAI spans become runs and steps: agent invocations (or a trace root with model or tool calls below it) are runs, model and tool calls their steps in start order. Re-exported spans change nothing.'
          : 'Claude Code telemetry (CLAUDE_CODE_ENABLE_TELEMETRY=1): claude_code.* events become activities of the session, cost and token metrics roll up per session and model.',
        consumes: ['application/x-protobuf', 'application/json'],
        response: { 200: ExportResponse, '4xx': Status, '5xx': Status },
      },
    }, async (request, reply) => {
      const encoding = encodingOf(request);
      if (!encoding) throw new UnsupportedMediaTypeError(String(request.headers['content-type'] ?? ''));
      if (inFlight >= maxInFlight) throw new AppError(429, 'overloaded', `this node is processing ${inFlight} exports; retry after a second`);
      inFlight += 1;
      try {
        const message = decodeRequest(signal, encoding, await decodedBody(request, bodyLimitBytes));
        const outcome = await handlers[signal](authOf(request), message as never);
        return send(reply, encoding, encodeResponse(signal, encoding, outcome.rejected, outcome.message));
      } finally {
        inFlight -= 1;
      }
    });
  }
}

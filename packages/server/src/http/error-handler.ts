import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { isDatabaseError, isUnavailableError } from '../db/database.ts';
import { describeValidation } from '../lib/validation.ts';

/** What a client sent, as echoed in an error: control characters replaced, at most `max` characters. */
export function excerpt(text: string, max = 80): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export interface ErrorAnswer {
  status: number;
  body: { error: string; message: string; details: Record<string, unknown>; [extra: string]: unknown };
  headers?: Record<string, string>;
}

const answer = (status: number, error: string, message: string, details: Record<string, unknown> = {}): ErrorAnswer =>
  ({ status, body: { error, message, details } });

/** Fastify's own client errors, each with a code of the API's own and a message that echoes nothing. */
const FRAMEWORK_ERRORS: Record<string, (request: FastifyRequest) => ErrorAnswer> = {
  FST_ERR_CTP_BODY_TOO_LARGE: (request) =>
    answer(413, 'payload_too_large', `the body exceeds the limit of ${request.routeOptions.bodyLimit} bytes`, { limit_bytes: request.routeOptions.bodyLimit }),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (request) =>
    answer(415, 'unsupported_media_type', 'send the body as application/json', { content_type: excerpt(String(request.headers['content-type'] ?? '')) }),
  FST_ERR_CTP_INVALID_JSON_BODY: () => answer(400, 'bad_request', 'the body is not valid JSON', { location: 'body', reason: 'invalid_json' }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => answer(400, 'bad_request', 'the body is empty but its content-type says JSON', { location: 'body', reason: 'invalid_json' }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => answer(400, 'bad_request', 'the body length does not match Content-Length', { location: 'body' }),
  FST_ERR_BAD_URL: (request) => answer(400, 'bad_url', 'the path is not valid percent-encoding', { path: excerpt(request.url.split('?')[0] ?? '') }),
  FST_ERR_MAX_PARAM_LENGTH: () =>
    answer(414, 'uri_too_long', `a path segment is longer than ${MAX_PARAM_LENGTH} characters`, { limit: MAX_PARAM_LENGTH }),
};

/** Ids are at most 200 characters; percent-encoded (a "/" is "%2F") they take at most three times that. */
export const MAX_PARAM_LENGTH = 600;

/** Any error → the API's one error body `{error, message, details}`; 5xx bodies never carry internals. */
export function errorAnswer(err: FastifyError, request: FastifyRequest): ErrorAnswer {
  if (err instanceof AppError) {
    return { status: err.statusCode, body: { error: err.code, message: err.message, details: err.details ?? {}, ...err.extra } };
  }
  if (err.validation) {
    const { error, message, details } = describeValidation(err.validation, err.validationContext ?? 'body');
    return answer(400, error, message, details);
  }
  const framework = err.code ? FRAMEWORK_ERRORS[err.code] : undefined;
  if (framework) return framework(request);
  if (isUnavailableError(err)) {
    request.log.error({ err }, 'database unavailable');
    return { ...answer(503, 'unavailable', 'the database is unavailable; retry shortly'), headers: { 'retry-after': '5' } };
  }
  // Class 22 (data exception): a value the schema let through but PostgreSQL refused.
  if (isDatabaseError(err) && err.code?.startsWith('22')) {
    return answer(400, 'invalid_value', excerpt(err.message, 200), { column: (err as { column?: string }).column ?? null });
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return answer(err.statusCode, 'bad_request', excerpt(err.message, 200), { code: err.code ?? null });
  }
  request.log.error({ err }, 'request failed');
  return answer(500, 'internal', 'internal error; see the server log');
}

function send(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const { status, body, headers } = errorAnswer(err, request);
  if (headers) reply.headers(headers);
  return reply.status(status).send(body);
}

/**
 * The one place errors become HTTP answers: route errors, not-found, and the router's own
 * refusals (bad percent-encoding, over-long path segments) through Fastify's `frameworkErrors`.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(send);
  app.setNotFoundHandler((request, reply) => {
    const path = excerpt(request.url.split('?')[0] ?? '');
    return reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${path}`, details: { method: request.method, path } });
  });
}

/** For Fastify's `frameworkErrors` option (errors raised before a route is found). */
export const frameworkErrors = (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => send(err, request, reply);

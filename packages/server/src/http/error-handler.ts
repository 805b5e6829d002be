import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';
import { isDatabaseError, isUnavailableError } from '../db/database.ts';

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** `/steps/0/input_tokens` + missing `kind` → `steps[0].input_tokens`, `kind`. */
function fieldOf(issue: AjvIssue): string {
  const parts = issue.instancePath.split('/').filter(Boolean);
  const extra = issue.params.missingProperty ?? issue.params.additionalProperty;
  if (typeof extra === 'string') parts.push(extra);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

/** The API's 400 body for the first schema violation; `location` is body, querystring, items[3].body… */
export function describeValidation(issues: readonly unknown[], location: string) {
  const issue = issues[0] as AjvIssue;
  const field = fieldOf(issue);
  let message = issue.message ?? 'is invalid';
  if (issue.keyword === 'additionalProperties') message = 'is not a known field';
  if (issue.keyword === 'required') message = 'is required';
  if (issue.keyword === 'enum') message = `must be one of ${(issue.params.allowedValues as string[]).join(', ')}`;
  return {
    error: 'validation_error',
    message: `${location}${field ? `.${field}` : ''} ${message}`,
    details: { location, field: field || location, rule: issue.keyword },
  };
}

/** The one place errors become HTTP answers. 5xx bodies never carry internals. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.statusCode).send({ error: err.code, message: err.message, details: err.details, ...err.extra });
    }
    if (err.validation) return reply.status(400).send(describeValidation(err.validation, err.validationContext ?? 'body'));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: 'payload_too_large', message: `the body exceeds the limit of ${request.routeOptions.bodyLimit} bytes` });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({ error: 'unsupported_media_type', message: 'send the body as application/json' });
    }
    if (isUnavailableError(err)) {
      request.log.error({ err }, 'database unavailable');
      return reply.status(503).header('Retry-After', '5').send({ error: 'unavailable', message: 'the database is unavailable; retry shortly' });
    }
    // Class 22 (data exception): a value the schema let through but PostgreSQL refused.
    if (isDatabaseError(err) && err.code?.startsWith('22')) {
      return reply.status(400).send({ error: 'invalid_value', message: err.message, details: { column: (err as { column?: string }).column } });
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: 'bad_request', message: err.message });
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: 'internal', message: 'internal error; see the server log' });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}

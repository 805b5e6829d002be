/** Errors the API answers with. The one error handler in app.ts maps them to the error body. */
export class AppError extends Error {
  /** Top-level fields a seed's error body has beside error/message/details. */
  extra?: Record<string, unknown>;

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export class ValidationError extends AppError {
  constructor(field: string, message: string, details: Record<string, unknown> = {}) {
    super(400, 'validation_error', `${field} ${message}`, { field, ...details });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'a valid API key is required (Authorization: Bearer <key>)') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(403, 'forbidden', message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super(404, 'not_found', `${what} ${id} was not found`, { [`${what}_id`]: id });
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(409, code, message, details);
  }
}

export class UnavailableError extends AppError {
  constructor(message = 'the database is unavailable') {
    super(503, 'unavailable', message);
  }
}

export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterSeconds: number, details: Record<string, unknown> = {}) {
    super(429, 'rate_limited', message, { retry_after_seconds: retryAfterSeconds, ...details });
  }
}

/** A setting (flag or environment variable) with a value that cannot be used; the CLI prints it and exits 2. */
export class ConfigError extends Error {
  constructor(readonly setting: string, message: string) {
    super(`${setting}: ${message}`);
  }
}

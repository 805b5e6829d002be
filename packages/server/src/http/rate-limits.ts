import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedError } from '../errors.ts';
import { SESSION_COOKIE } from '../domain/auth/sessions.service.ts';

export interface RateLimits {
  /** Sign-in attempts per account (email) per window, answered or not. */
  loginPerAccount: number;
  /** Sign-in attempts per client address per window. */
  loginPerAddress: number;
  loginWindowMs: number;
  /** Requests per minute per client address that carry no credentials (0: no limit). */
  anonymousPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = Object.freeze({
  loginPerAccount: 10,
  loginPerAddress: 50,
  loginWindowMs: 15 * 60_000,
  anonymousPerMinute: 600,
});

/** Probes of load balancers and orchestrators come often from one address and carry nothing. */
const UNLIMITED = new Set(['/healthz', '/readyz']);

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/** Counts the request; past the limit, a 429 with Retry-After (SPEC §4). */
async function enforce(limiter: Limiter, request: FastifyRequest, reply: FastifyReply, message: string, scope: string) {
  const state = await limiter(request);
  if (state.isAllowed || !state.isExceeded) return;
  const retryAfter = Math.max(1, state.ttlInSeconds);
  reply.header('retry-after', String(retryAfter));
  throw new RateLimitedError(message, retryAfter, { limit: scope });
}

/** A key, a session cookie or a WebSocket ticket: such requests are braked by their own checks, not by address. */
function hasCredentials(request: FastifyRequest): boolean {
  return request.headers.authorization !== undefined || Boolean(request.cookies?.[SESSION_COOKIE])
    || (request.url.startsWith('/ws?') && (request.query as { ticket?: unknown } | undefined)?.ticket !== undefined);
}

/**
 * Brakes on what anyone can send without credentials (per node, in memory): requests without
 * a key or session per address, and sign-in attempts per account and per address, each of
 * which costs a full scrypt. Returns the sign-in guard for the login route's preHandler.
 */
export async function registerRateLimits(app: FastifyInstance, limits: RateLimits) {
  await app.register(rateLimit, { global: false });
  if (limits.anonymousPerMinute > 0) {
    const anonymous = app.createRateLimit({ max: limits.anonymousPerMinute, timeWindow: 60_000, keyGenerator: (r) => `anon:${r.ip}` });
    app.addHook('onRequest', async (request, reply) => {
      if (hasCredentials(request) || UNLIMITED.has(request.url.split('?')[0]!)) return;
      await enforce(anonymous, request, reply, 'too many requests without credentials from this address; retry later', 'address');
    });
  }
  const perAddress = app.createRateLimit({ max: limits.loginPerAddress, timeWindow: limits.loginWindowMs, keyGenerator: (r) => `login-address:${r.ip}` });
  const perAccount = app.createRateLimit({
    max: limits.loginPerAccount,
    timeWindow: limits.loginWindowMs,
    keyGenerator: (r) => `login-account:${String((r.body as { email?: unknown } | undefined)?.email ?? '').trim().toLowerCase()}`,
  });
  /** Runs after the body is validated and before the password is checked. */
  return async function signInGuard(request: FastifyRequest, reply: FastifyReply) {
    await enforce(perAddress, request, reply, 'too many sign-in attempts from this address; retry later', 'address');
    await enforce(perAccount, request, reply, 'too many sign-in attempts for this account; retry later', 'account');
  };
}

export type SignInGuard = Awaited<ReturnType<typeof registerRateLimits>>;

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import type { AuthService } from '../domain/auth/auth.service.ts';
import { SESSION_COOKIE, sameOrigin, type SessionsService } from '../domain/auth/sessions.service.ts';
import { hasScope, type AuthContext, type Scope } from '../domain/auth/auth.types.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route needs; routes without one are public. */
    scope?: Scope;
  }
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

/** The session token of the dashboard's cookie (parsed by @fastify/cookie, which never throws on bad encoding). */
export function sessionTokenOf(request: FastifyRequest): string | null {
  return request.cookies?.[SESSION_COOKIE] || null;
}

/**
 * Browsers attach cookies to cross-site requests, so a request authenticated by cookie must
 * come from this server's own pages: refused when the browser says it is cross-site (or from a
 * sibling site), or when Origin, else Referer, names another host. A request that says neither
 * (a non-browser client) is let through, as before.
 */
export function fromOwnPages(headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return false;
  if (headers.origin !== undefined) return sameOrigin(headers.origin, headers.host);
  if (headers.referer !== undefined) return sameOrigin(headers.referer, headers.host);
  return true;
}

/**
 * Who is calling: an API key (`Authorization: Bearer`, machines) or the dashboard's session
 * cookie. A cookie-authenticated write must come from this server's own origin.
 */
export async function authenticateRequest(request: FastifyRequest, auth: AuthService, sessions: SessionsService): Promise<AuthContext> {
  const token = request.headers.authorization ? null : sessionTokenOf(request);
  if (!token) return auth.authenticate(request.headers.authorization);
  const context = await sessions.authenticate(token);
  if (!context) throw new UnauthorizedError('the session has expired; sign in again');
  const safe = request.method === 'GET' || request.method === 'HEAD';
  if (!safe && !fromOwnPages(request.headers)) {
    throw new ForbiddenError('a request signed in by cookie must come from this server\'s own pages');
  }
  return context;
}

/** Authenticates every route that declares `config.scope`: 401 without a valid key, 403 without the scope. */
export function registerAuthHook(app: FastifyInstance, auth: AuthService, sessions: SessionsService): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request) => {
    const scope = request.routeOptions.config?.scope;
    if (!scope) return;
    const context = await authenticateRequest(request, auth, sessions);
    if (!hasScope(context, scope)) {
      throw new ForbiddenError(`this route needs an API key with the "${scope}" scope`, { required_scope: scope, key_scopes: context.scopes });
    }
    request.auth = context;
  });
}

/** The caller of a route that declared a scope. */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new UnauthorizedError();
  return request.auth;
}

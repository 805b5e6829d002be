import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import type { AuthService } from '../domain/auth/auth.service.ts';
import { sameOrigin, sessionToken, type SessionsService } from '../domain/auth/sessions.service.ts';
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

/**
 * Who is calling: an API key (`Authorization: Bearer`, machines) or the dashboard's session
 * cookie. A cookie-authenticated write must come from this server's own origin.
 */
export async function authenticateRequest(request: FastifyRequest, auth: AuthService, sessions: SessionsService): Promise<AuthContext> {
  const token = request.headers.authorization ? null : sessionToken(request.headers.cookie);
  if (!token) return auth.authenticate(request.headers.authorization);
  const context = await sessions.authenticate(token);
  if (!context) throw new UnauthorizedError('the session has expired; sign in again');
  const safe = request.method === 'GET' || request.method === 'HEAD';
  if (!safe && !sameOrigin(request.headers.origin, request.headers.host)) {
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

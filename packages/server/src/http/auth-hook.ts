import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import type { AuthService } from '../domain/auth/auth.service.ts';
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

/** Authenticates every route that declares `config.scope`: 401 without a valid key, 403 without the scope. */
export function registerAuthHook(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request) => {
    const scope = request.routeOptions.config?.scope;
    if (!scope) return;
    const context = await auth.authenticate(request.headers.authorization);
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

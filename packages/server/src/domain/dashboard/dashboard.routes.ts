import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../../db/database.ts';
import { Nullable } from '../../http/schemas.ts';
import { sessionToken, type SessionsService } from '../auth/sessions.service.ts';
import { findUser } from './dashboard.repository.ts';

const SessionState = Type.Object({
  signed_in: Type.Boolean(),
  tenant_id: Type.Optional(Type.String()),
  user: Type.Optional(Nullable(Type.Object({ id: Type.String(), email: Type.String(), name: Nullable(Type.String()), role: Type.String() }))),
  scopes: Type.Array(Type.String()),
});

/**
 * GET /dashboard/session: whether this browser is signed in, and as whom. Always 200, so a
 * signed-out page load is not an error in the browser's console (GET /auth/me answers 401).
 */
export const dashboardRoutes: FastifyPluginAsyncTypebox<{ db: Database; sessions: SessionsService }> = async (app, { db, sessions }) => {
  app.get('/dashboard/session', {
    schema: { tags: ['auth'], summary: 'The dashboard\'s session: signed in or not, the user and their scopes', security: [], response: { 200: SessionState } },
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const token = sessionToken(request.headers.cookie);
    const context = token ? await sessions.authenticate(token) : null;
    if (!context) return { signed_in: false, scopes: [] };
    const user = context.userId ? await findUser(db, context.tenantId, context.userId) : null;
    return { signed_in: true, tenant_id: context.tenantId, user, scopes: [...context.scopes] };
  });
};

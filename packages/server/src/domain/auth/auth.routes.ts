import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authOf } from '../../http/auth-hook.ts';
import { ErrorBody, errorResponses } from '../../http/schemas.ts';
import type { SignInGuard } from '../../http/rate-limits.ts';
import { ApiKey, CreateKeyBody, CreatedKey, KeyParams } from './auth.schemas.ts';
import type { AuthService } from './auth.service.ts';
import { SESSION_COOKIE, SESSION_TTL_MS, type SessionsService } from './sessions.service.ts';
import { sessionTokenOf } from '../../http/auth-hook.ts';

const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1000 }),
    tenant: Type.Optional(Type.String({ maxLength: 200, description: 'needed only when the email belongs to several tenants' })),
  },
  { additionalProperties: false },
);
const SignedIn = Type.Object({
  tenant_id: Type.String(),
  user: Type.Object({ id: Type.String(), email: Type.String(), name: Type.Union([Type.String(), Type.Null()]), role: Type.String() }),
  expires_at: Type.String({ format: 'date-time' }),
});

/** Secure when the request came over TLS, also through a proxy the operator trusts (RUNLOG_TRUST_PROXY). */
const COOKIE_OPTIONS = { path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto' } as const;

/** Dashboard sign-in (session cookie) and API key management for the caller's tenant (admin scope). */
export const authRoutes: FastifyPluginAsyncTypebox<{ auth: AuthService; sessions: SessionsService; signInGuard?: SignInGuard }> = async (app, { auth, sessions, signInGuard }) => {
  app.post('/auth/login', {
    schema: { tags: ['auth'], summary: 'Sign in with email and password; sets an httpOnly session cookie (429 after too many attempts)', security: [], body: LoginBody, response: { 200: SignedIn, ...errorResponses, 429: ErrorBody } },
    ...(signInGuard ? { preHandler: signInGuard } : {}),
  }, async (request, reply) => {
    const { email, password, tenant } = request.body;
    const session = await sessions.login(email, password, tenant);
    reply.setCookie(SESSION_COOKIE, session.token, { ...COOKIE_OPTIONS, maxAge: SESSION_TTL_MS / 1000 });
    return { tenant_id: session.tenantId, user: session.user, expires_at: session.expiresAt.toISOString() };
  });

  app.post('/auth/logout', {
    schema: { tags: ['auth'], summary: 'Sign out: ends the session and clears the cookie', security: [], response: { 204: Type.Null() } },
  }, async (request, reply) => {
    const token = sessionTokenOf(request);
    if (token) await sessions.logout(token);
    return reply.setCookie(SESSION_COOKIE, '', { ...COOKIE_OPTIONS, maxAge: 0 }).status(204).send(null);
  });

  app.get('/auth/me', {
    config: { scope: 'read' },
    schema: { tags: ['auth'], summary: 'Who is calling: tenant, user and scopes', response: { 200: Type.Object({ tenant_id: Type.String(), user_id: Type.Union([Type.String(), Type.Null()]), scopes: Type.Array(Type.String()) }), ...errorResponses } },
  }, async (request) => {
    const caller = authOf(request);
    return { tenant_id: caller.tenantId, user_id: caller.userId, scopes: [...caller.scopes] };
  });

  app.post('/api-keys', {
    config: { scope: 'admin' },
    schema: { tags: ['keys'], summary: 'Create an API key; the secret is in this answer only', body: CreateKeyBody, response: { 201: CreatedKey, ...errorResponses } },
  }, async (request, reply) => {
    const caller = authOf(request);
    const { key, row } = await auth.createKey({
      tenantId: caller.tenantId,
      name: request.body.name,
      scopes: request.body.scopes,
      projectId: request.body.project_id ?? null,
      createdBy: caller.userId,
    });
    return reply.status(201).send({ key, api_key: row });
  });

  app.get('/api-keys', {
    config: { scope: 'admin' },
    schema: { tags: ['keys'], summary: "The tenant's API keys (never their secrets)", response: { 200: Type.Object({ api_keys: Type.Array(ApiKey) }), ...errorResponses } },
  }, async (request) => ({ api_keys: await auth.listKeys(authOf(request).tenantId) }));

  app.delete('/api-keys/:id', {
    config: { scope: 'admin' },
    schema: { tags: ['keys'], summary: 'Revoke an API key', params: KeyParams, response: { 200: ApiKey, ...errorResponses } },
  }, async (request) => auth.revokeKey(authOf(request).tenantId, request.params.id));
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authOf } from '../../http/auth-hook.ts';
import { errorResponses } from '../../http/schemas.ts';
import { ApiKey, CreateKeyBody, CreatedKey, KeyParams } from './auth.schemas.ts';
import type { AuthService } from './auth.service.ts';

/** API key management for the caller's tenant (admin scope). */
export const authRoutes: FastifyPluginAsyncTypebox<{ auth: AuthService }> = async (app, { auth }) => {
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

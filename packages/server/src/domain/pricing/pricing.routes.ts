import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authOf } from '../../http/auth-hook.ts';
import { errorResponses, Instant, Nullable, Timestamp } from '../../http/schemas.ts';
import type { PricingService } from './pricing.service.ts';

const PerMtok = (description: string) => Type.Number({ minimum: 0, maximum: 1e6, description: `USD per million ${description}` });

const Price = Type.Object({
  id: Type.Integer(),
  tenant_id: Nullable(Type.String({ description: 'null for the prices shipped with Runlog' })),
  provider: Type.String(),
  model_pattern: Type.String(),
  input_per_mtok: Type.Number(),
  output_per_mtok: Type.Number(),
  cache_read_per_mtok: Nullable(Type.Number()),
  cache_write_per_mtok: Nullable(Type.Number()),
  reasoning_per_mtok: Nullable(Type.Number()),
  effective_from: Instant(),
});

const NewPrice = Type.Object(
  {
    provider: Type.String({ minLength: 1, maxLength: 100 }),
    model_pattern: Type.String({ minLength: 1, maxLength: 200, description: 'model id, or a LIKE pattern with %' }),
    input_per_mtok: PerMtok('input tokens'),
    output_per_mtok: PerMtok('output tokens'),
    cache_read_per_mtok: Type.Optional(Nullable(PerMtok('cache-read tokens'))),
    cache_write_per_mtok: Type.Optional(Nullable(PerMtok('cache-write tokens'))),
    reasoning_per_mtok: Type.Optional(Nullable(PerMtok('reasoning tokens'))),
    effective_from: Timestamp('from when this price applies (runs are priced at their start)'),
  },
  { additionalProperties: false },
);

export const pricingRoutes: FastifyPluginAsyncTypebox<{ pricing: PricingService }> = async (app, { pricing }) => {
  app.get('/prices', {
    config: { scope: 'read' },
    schema: { tags: ['prices'], summary: 'Model prices in effect for this tenant (shipped and own)', response: { 200: Type.Object({ prices: Type.Array(Price) }), ...errorResponses } },
  }, async (request) => ({ prices: await pricing.list(authOf(request).tenantId) }));

  app.post('/prices', {
    config: { scope: 'admin' },
    schema: { tags: ['prices'], summary: 'Add a price version for this tenant', body: NewPrice, response: { 201: Price, ...errorResponses } },
  }, async (request, reply) => {
    const body = request.body;
    const row = await pricing.add(authOf(request).tenantId, {
      provider: body.provider,
      model_pattern: body.model_pattern,
      input_per_mtok: body.input_per_mtok,
      output_per_mtok: body.output_per_mtok,
      cache_read_per_mtok: body.cache_read_per_mtok ?? null,
      cache_write_per_mtok: body.cache_write_per_mtok ?? null,
      reasoning_per_mtok: body.reasoning_per_mtok ?? null,
      effective_from: new Date(body.effective_from),
    });
    return reply.status(201).send(row);
  });
};

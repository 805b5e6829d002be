import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../../db/database.ts';
import { authOf } from '../../http/auth-hook.ts';
import { errorResponses } from '../../http/schemas.ts';
import { sessionUsage } from './telemetry.repository.ts';

const Tokens = {
  input_tokens: Type.Number(),
  output_tokens: Type.Number(),
  cache_read_tokens: Type.Number(),
  cache_creation_tokens: Type.Number(),
};
const SessionUsage = Type.Object({
  session_id: Type.String(),
  cost_usd: Type.Number({ description: 'claude_code.cost.usage summed over the session' }),
  ...Tokens,
  by_model: Type.Array(Type.Object({ model: Type.String(), cost_usd: Type.Number(), ...Tokens })),
});

/** claude_code.token.usage `type` attribute → field. */
const TOKEN_FIELDS: Record<string, keyof typeof Tokens> = {
  input: 'input_tokens', output: 'output_tokens', cacheRead: 'cache_read_tokens', cacheCreation: 'cache_creation_tokens',
};

type Totals = { cost_usd: number } & Record<keyof typeof Tokens, number>;
const zero = (): Totals => ({ cost_usd: 0, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_creation_tokens: 0 });

/** GET /sessions/{id}/usage: what Claude Code reported it spent in a session (its cost and token metrics). */
export const sessionUsageRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get('/sessions/:id/usage', {
    config: { scope: 'read' },
    schema: {
      tags: ['activities'],
      summary: 'Cost and tokens of a Claude Code session, in all and per model (from its OTLP metrics)',
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
      response: { 200: SessionUsage, ...errorResponses },
    },
  }, async (request) => {
    const rows = await sessionUsage(db, authOf(request).tenantId, request.params.id);
    const total = zero();
    const models = new Map<string, Totals>();
    for (const row of rows) {
      const field = row.kind === 'cost_usd' ? 'cost_usd' : TOKEN_FIELDS[row.kind];
      if (!field) continue;
      const model = models.get(row.model) ?? zero();
      model[field] += row.value;
      total[field] += row.value;
      models.set(row.model, model);
    }
    return { session_id: request.params.id, ...total, by_model: [...models].map(([model, t]) => ({ model, ...t })) };
  });
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authOf } from '../../http/auth-hook.ts';
import { errorResponses } from '../../http/schemas.ts';
import { ActivityIdParams, Processing, RetryQuery, SchemaRender } from './rendering.schemas.ts';
import type { RenderingService } from './rendering.service.ts';

/** Seed 004's routes: an activity's processing status, its render, and a retry. */
export const renderingRoutes: FastifyPluginAsyncTypebox<{ rendering: RenderingService }> = async (app, { rendering }) => {
  app.get('/activities/:id/processing', {
    config: { scope: 'read' },
    schema: { tags: ['rendering'], summary: "An activity's render status", params: ActivityIdParams, response: { 200: Processing, ...errorResponses } },
  }, async (request) => rendering.processing(authOf(request), request.params.id));

  app.get('/activities/:id/render', {
    config: { scope: 'read' },
    schema: {
      tags: ['rendering'],
      summary: "An activity's render (409 not_rendered while it has none)",
      params: ActivityIdParams,
      response: { 200: SchemaRender, ...errorResponses },
    },
  }, async (request) => rendering.render(authOf(request), request.params.id));

  app.post('/activities/:id/retry', {
    config: { scope: 'ingest' },
    schema: {
      tags: ['rendering'],
      summary: 'Render a FAILED activity again (a COMPLETED one with ?force=true); 409 while PENDING or PROCESSING',
      params: ActivityIdParams,
      querystring: RetryQuery,
      response: { 202: Processing, ...errorResponses },
    },
  }, async (request, reply) => reply.status(202).send(await rendering.retry(authOf(request), request.params.id, request.query.force)));
};

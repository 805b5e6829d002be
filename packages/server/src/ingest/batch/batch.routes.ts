import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authOf } from '../../http/auth-hook.ts';
import { errorResponses } from '../../http/schemas.ts';
import { IngestBody, IngestResult } from './batch.schemas.ts';
import type { BatchService } from './batch.service.ts';

export const batchRoutes: FastifyPluginAsyncTypebox<{ batch: BatchService }> = async (app, { batch }) => {
  app.post('/ingest', {
    config: { scope: 'ingest' },
    schema: {
      tags: ['ingest'],
      summary: 'Up to 1,000 run, step and activity writes in one call; a result per item, in order',
      description:
        'Item types: run.create, run.start, run.heartbeat, run.complete, run.fail, run.cancel, steps.append, activity.create. ' +
        'Each body is what the matching REST route takes. One bad item never rejects the others; ' +
        'a resend of the same batch writes nothing and answers the same results.',
      body: IngestBody,
      response: { 200: IngestResult, ...errorResponses },
    },
  }, async (request) => ({ results: await batch.ingest(authOf(request), request.body.items) }));
};

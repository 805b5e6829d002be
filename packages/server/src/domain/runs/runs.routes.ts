import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { authOf } from '../../http/auth-hook.ts';
import { errorResponses } from '../../http/schemas.ts';
import {
  AppendStepsBody, AppendStepsResult, CancelBody, CompleteBody, CreateRunBody, FailBody, HeartbeatBody,
  ListRunsQuery, ListStepsQuery, RecentRunsQuery, Run, RunPage, RunParams, StartBody, StepPage,
} from './runs.schemas.ts';
import type { RunsService } from './runs.service.ts';

const RunRef = Type.Ref(Run);

/** Transitions may be posted without a body (`curl -X POST …/start`). */
async function emptyBodyIsObject(request: FastifyRequest) {
  request.body ??= {};
}

export const runsRoutes: FastifyPluginAsyncTypebox<{ runs: RunsService }> = async (app, { runs }) => {
  app.addSchema(Run);

  app.post('/runs', {
    config: { scope: 'ingest' },
    schema: {
      tags: ['runs'],
      summary: 'Create a run (idempotent on id or external_id: 201 when created, 200 when it existed)',
      body: CreateRunBody,
      response: { 200: RunRef, 201: RunRef, ...errorResponses },
    },
  }, async (request, reply) => {
    const { run, created } = await runs.create(authOf(request), request.body);
    return reply.status(created ? 201 : 200).send(run);
  });

  app.get('/runs', {
    config: { scope: 'read' },
    schema: { tags: ['runs'], summary: 'List runs, newest first, with filters and a cursor', querystring: ListRunsQuery, response: { 200: RunPage, ...errorResponses } },
  }, async (request) => runs.list(authOf(request), request.query));

  app.get('/runs/recent', {
    config: { scope: 'read' },
    schema: { tags: ['runs'], summary: "The caller's most recent runs", querystring: RecentRunsQuery, response: { 200: Type.Object({ runs: Type.Array(RunRef) }), ...errorResponses } },
  }, async (request) => ({ runs: await runs.recent(authOf(request), request.query.user_id, request.query.limit) }));

  app.get('/runs/:id', {
    config: { scope: 'read' },
    schema: { tags: ['runs'], summary: 'Get a run', params: RunParams, response: { 200: RunRef, ...errorResponses } },
  }, async (request) => runs.get(authOf(request), request.params.id));

  const transitions = [
    ['start', StartBody, 'pending → running'],
    ['complete', CompleteBody, 'running → completed, with usage, output and cost'],
    ['fail', FailBody, 'pending|running → failed, with the error'],
    ['cancel', CancelBody, 'pending|running → cancelled'],
  ] as const;
  for (const [action, body, summary] of transitions) {
    app.post(`/runs/:id/${action}`, {
      config: { scope: 'ingest' },
      schema: { tags: ['runs'], summary: `${summary}; 409 from any other status`, params: RunParams, body, response: { 200: RunRef, ...errorResponses } },
      preValidation: emptyBodyIsObject,
    }, async (request) => runs.transition(authOf(request), request.params.id, action, request.body));
  }

  app.post('/runs/:id/heartbeat', {
    config: { scope: 'ingest' },
    schema: { tags: ['runs'], summary: 'Mark a live run as still alive', params: RunParams, body: HeartbeatBody, response: { 200: RunRef, ...errorResponses } },
    preValidation: emptyBodyIsObject,
  }, async (request) => runs.heartbeat(authOf(request), request.params.id));

  app.post('/runs/:id/steps', {
    config: { scope: 'ingest' },
    schema: { tags: ['runs'], summary: 'Append up to 1,000 steps (idempotent per step_index)', params: RunParams, body: AppendStepsBody, response: { 200: AppendStepsResult, ...errorResponses } },
  }, async (request) => runs.appendSteps(authOf(request), request.params.id, request.body.steps));

  app.get('/runs/:id/steps', {
    config: { scope: 'read' },
    schema: { tags: ['runs'], summary: 'List steps in step_index order', params: RunParams, querystring: ListStepsQuery, response: { 200: StepPage, ...errorResponses } },
  }, async (request) => runs.listSteps(authOf(request), request.params.id, request.query.after_index ?? -1, request.query.limit));
};

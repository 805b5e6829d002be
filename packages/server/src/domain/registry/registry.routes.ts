import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authOf } from '../../http/auth-hook.ts';
import { ErrorBody, errorResponses } from '../../http/schemas.ts';
import { Run } from '../runs/runs.schemas.ts';
import { toRunDto } from '../../events/live-events.ts';
import type { ExecutionService } from './execution.service.ts';
import {
  ExecuteBody, ListWorkUnitsQuery, NotifyBody, NotifyResult, PatchBody, RegisterBody, RunHistory, RunHistoryQuery, WorkUnit,
  WorkUnitPage, WorkUnitParams,
} from './registry.schemas.ts';
import type { RegistryService } from './registry.service.ts';

const WorkUnitRef = Type.Ref(WorkUnit);

/** An execute request carries the run's input; bounded well below the API's general body limit. */
const EXECUTE_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The work-unit registry. Reads need `read`; registering and editing need `ingest`, so an SDK
 * can register the unit it runs; deleting needs `admin`.
 */
export const registryRoutes: FastifyPluginAsyncTypebox<{ registry: RegistryService; execution: ExecutionService }> = async (app, { registry, execution }) => {
  app.addSchema(WorkUnit);
  app.addSchema(Run);

  app.post('/work-units', {
    config: { scope: 'ingest' },
    schema: { tags: ['registry'], summary: 'Register a work unit (409 when the id is taken)', body: RegisterBody, response: { 201: WorkUnitRef, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await registry.register(authOf(request), request.body)));

  app.get('/work-units', {
    config: { scope: 'read' },
    schema: { tags: ['registry'], summary: 'List work units by id, with a cursor', querystring: ListWorkUnitsQuery, response: { 200: WorkUnitPage, ...errorResponses } },
  }, async (request) => registry.list(authOf(request), request.query));

  app.get('/work-units/:id', {
    config: { scope: 'read' },
    schema: { tags: ['registry'], summary: 'Get a work unit with its latest run and run count', params: WorkUnitParams, response: { 200: WorkUnitRef, ...errorResponses } },
  }, async (request) => registry.get(authOf(request), request.params.id));

  app.patch('/work-units/:id', {
    config: { scope: 'ingest' },
    schema: { tags: ['registry'], summary: 'Change a work unit (fields present replace the stored ones)', params: WorkUnitParams, body: PatchBody, response: { 200: WorkUnitRef, ...errorResponses } },
  }, async (request) => registry.update(authOf(request), request.params.id, request.body));

  app.delete('/work-units/:id', {
    config: { scope: 'admin' },
    schema: { tags: ['registry'], summary: 'Delete a work unit (its runs stay, with their work_unit_id)', params: WorkUnitParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await registry.remove(authOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  // Running it needs `ingest` and, unless the caller is a tenant admin, the member role in a workspace holding the unit.
  app.post('/work-units/:id/run', {
    config: { scope: 'ingest' },
    bodyLimit: EXECUTE_BODY_LIMIT_BYTES,
    schema: {
      tags: ['registry'],
      summary: "Run the unit: a pending run, dispatched to the unit's webhook executor (idempotent per run_id)",
      params: WorkUnitParams,
      body: ExecuteBody,
      response: { 202: Type.Ref(Run), ...errorResponses, 413: ErrorBody },
    },
    // A unit that takes no input may be run without a body (`curl -X POST …/run`).
    preValidation: async (request) => {
      request.body ??= {};
    },
  }, async (request, reply) => {
    const { run } = await execution.execute(authOf(request), request.params.id, request.body);
    return reply.status(202).send(toRunDto(run));
  });

  // Seed 003's /workflows paths are the same handlers with the same bodies.
  for (const base of ['/work-units', '/workflows']) {
    app.get(`${base}/:id/runs`, {
      config: { scope: 'read' },
      schema: { tags: ['registry'], summary: "The unit's runs, newest first, by page", params: WorkUnitParams, querystring: RunHistoryQuery, response: { 200: RunHistory, ...errorResponses } },
    }, async (request) => registry.runs(authOf(request), request.params.id, request.query));

    app.post(`${base}/:id/runs/notify`, {
      config: { scope: 'ingest' },
      schema: {
        tags: ['registry'],
        summary: 'Report a run of the unit: creates or moves it (idempotent per run_id; never moves a run backwards)',
        params: WorkUnitParams,
        body: NotifyBody,
        response: { 200: NotifyResult, ...errorResponses },
      },
    }, async (request) => registry.notify(authOf(request), request.params.id, request.body));
  }
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authOf } from '../../http/auth-hook.ts';
import { errorResponses } from '../../http/schemas.ts';
import { ListRunsQuery, Run, RunPage } from '../runs/runs.schemas.ts';
import type { RunsService } from '../runs/runs.service.ts';
import {
  AttentionQuery, AttentionQueue, ByDimension, ByDimensionQuery, CostAnalysis, InvalidDimensionBody, Patterns,
  PatternsQuery, ProjectQuery, StatusSummary, StatusSummaryQuery,
} from './signals.schemas.ts';
import type { SignalsService } from './signals.service.ts';

/** Seed 001's signal endpoints; all read-only and scoped to the caller's tenant. */
export const signalsRoutes: FastifyPluginAsyncTypebox<{ signals: SignalsService; runs: RunsService }> = async (app, { signals, runs }) => {
  app.addSchema(Run);
  const read = { scope: 'read' as const };
  const tags = ['signals'];

  app.get('/activity/summary/by-status', {
    config: read,
    schema: { tags, summary: 'COMP-O3: finished runs by status, with the near-threshold count', querystring: StatusSummaryQuery, response: { 200: StatusSummary, ...errorResponses } },
  }, async (request) => signals.summaryByStatus(authOf(request), request.query));

  app.get('/activity/runs/by-dimension', {
    config: read,
    schema: {
      tags, summary: 'LIVE-O5: live or finished runs grouped by provider_type, source or agent_id (top 20)',
      querystring: ByDimensionQuery, response: { 200: ByDimension, ...errorResponses, 400: InvalidDimensionBody },
    },
  }, async (request) => signals.runsByDimension(authOf(request), request.query));

  // SIG-O2 (seed 001 §3): no endpoint of its own; the run list with risk_level filters.
  app.get('/activity/runs', {
    config: read,
    schema: { tags, summary: 'SIG-O2: runs by risk level (risk_level may repeat); the same filters and cursor as GET /runs', querystring: ListRunsQuery, response: { 200: RunPage, ...errorResponses } },
  }, async (request) => runs.list(authOf(request), request.query));

  app.get('/activity/patterns', {
    config: read,
    schema: { tags, summary: 'SIG-O3: retry loops, step oscillation, tool-call loops and timeout cascades', querystring: PatternsQuery, response: { 200: Patterns, ...errorResponses } },
  }, async (request) => signals.patterns(authOf(request), request.query));

  app.get('/activity/cost-analysis', {
    config: read,
    schema: { tags, summary: 'SIG-O4: cost per agent today against its 7-day baseline', querystring: ProjectQuery, response: { 200: CostAnalysis, ...errorResponses } },
  }, async (request) => signals.costAnalysis(authOf(request), request.query.project_id));

  app.get('/activity/attention-queue', {
    config: read,
    schema: { tags, summary: 'SIG-O5: the runs that most need a look, by a frozen weighted score', querystring: AttentionQuery, response: { 200: AttentionQueue, ...errorResponses } },
  }, async (request) => signals.attentionQueue(authOf(request), request.query));
};

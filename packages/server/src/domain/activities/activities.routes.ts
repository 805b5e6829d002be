import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authOf } from '../../http/auth-hook.ts';
import { ClientId, errorResponses } from '../../http/schemas.ts';
import {
  Activity, ActivityPage, ActivityStats, CreateActivityBody, FeedEvent, FeedQuery, HoursQuery, ListActivitiesQuery, RunSummary,
} from './activities.schemas.ts';
import type { ActivitiesService } from './activities.service.ts';

const ActivityRef = Type.Ref(Activity);

export const activitiesRoutes: FastifyPluginAsyncTypebox<{ activities: ActivitiesService }> = async (app, { activities }) => {
  app.addSchema(Activity);

  app.post('/activities', {
    config: { scope: 'ingest' },
    schema: {
      tags: ['activities'],
      summary: 'Record an activity (idempotent on id: 201 when stored, 200 when it existed)',
      body: CreateActivityBody,
      response: { 200: ActivityRef, 201: ActivityRef, ...errorResponses },
    },
  }, async (request, reply) => {
    const { activity, created } = await activities.create(authOf(request), request.body);
    return reply.status(created ? 201 : 200).send(activity);
  });

  app.post('/activities/test', {
    config: { scope: 'ingest' },
    schema: { tags: ['activities'], summary: 'Record a test activity (to check the live feed end to end)', response: { 201: ActivityRef, ...errorResponses } },
  }, async (request, reply) => {
    const { activity } = await activities.create(authOf(request), {
      type: 'test',
      action_name: 'test',
      action_description: 'Test activity to check live updates',
      target_name: 'runlog',
      status: 'success',
      source: 'runlog',
      data: { sent_at: new Date().toISOString() },
    });
    return reply.status(201).send(activity);
  });

  app.get('/activities', {
    config: { scope: 'read' },
    schema: {
      tags: ['activities'],
      summary: 'The activity feed: newest first with a cursor, or oldest first after after_seq (catch-up)',
      querystring: ListActivitiesQuery,
      response: { 200: ActivityPage, ...errorResponses },
    },
  }, async (request) => activities.list(authOf(request), request.query));

  app.get('/activities/summary', {
    config: { scope: 'read' },
    schema: { tags: ['activities'], summary: 'Activity statistics over the last hours', querystring: HoursQuery, response: { 200: ActivityStats, ...errorResponses } },
  }, async (request) => activities.stats(authOf(request), request.query.hours));

  app.get('/activities/:id', {
    config: { scope: 'read' },
    schema: { tags: ['activities'], summary: 'Get an activity', params: Type.Object({ id: ClientId('activity id') }), response: { 200: ActivityRef, ...errorResponses } },
  }, async (request) => activities.get(authOf(request), request.params.id));

  app.get('/activity/team', {
    config: { scope: 'read' },
    schema: { tags: ['activities'], summary: "The team's run and delegation events, newest first", querystring: FeedQuery, response: { 200: Type.Array(FeedEvent), ...errorResponses } },
  }, async (request) => activities.feed(authOf(request), request.query.limit, request.query.user_id ?? null));

  app.get('/activity/my', {
    config: { scope: 'read' },
    schema: { tags: ['activities'], summary: "The caller's run and delegation events, newest first", querystring: FeedQuery, response: { 200: Type.Array(FeedEvent), ...errorResponses } },
  }, async (request) => {
    const auth = authOf(request);
    return activities.feed(auth, request.query.limit, request.query.user_id ?? auth.userId ?? '');
  });

  app.get('/activity/summary', {
    config: { scope: 'read' },
    schema: { tags: ['activities'], summary: 'Runs of the last hours by status, and the success rate', querystring: HoursQuery, response: { 200: RunSummary, ...errorResponses } },
  }, async (request) => activities.runSummary(authOf(request), request.query.hours));
};

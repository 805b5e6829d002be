import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../../db/database.ts';
import { NotFoundError } from '../../errors.ts';
import { authOf } from '../../http/auth-hook.ts';
import { Instant, Nullable, errorResponses } from '../../http/schemas.ts';
import { CLAUDE_CODE_SOURCE } from './assistant-sessions.types.ts';
import { Activity } from '../activities/activities.schemas.ts';
import * as repo from './assistant-sessions.repository.ts';

const DAY_MS = 86_400_000;

const AssistantSession = Type.Object({
  session_id: Type.String(),
  user_id: Nullable(Type.String()),
  cwd: Nullable(Type.String({ description: 'working directory the assistant ran in (the repository)' })),
  first_at: Instant(),
  last_at: Instant(),
  events: Type.Integer(),
  prompts: Type.Integer(),
  tool_calls: Type.Integer({ description: 'finished tool calls' }),
  failures: Type.Integer(),
  ended: Type.Boolean({ description: 'a SessionEnd was received' }),
});

const ListQuery = Type.Object(
  {
    days: Type.Integer({ minimum: 1, maximum: 90, default: 7, description: 'sessions active in the last days' }),
    source: Type.String({ minLength: 1, maxLength: 200, default: CLAUDE_CODE_SOURCE }),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const DetailQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 2000, default: 1000 }) }, { additionalProperties: false });

/**
 * Coding-assistant sessions (the hook's activities grouped by session_id): the dashboard's
 * /sessions list and one session's timeline. Read-only views over the activity table.
 */
export const assistantSessionsRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  const tags = ['sessions'];
  app.addSchema(Activity);

  app.get('/sessions', {
    config: { scope: 'read' },
    schema: { tags, summary: 'Coding-assistant sessions, most recently active first', querystring: ListQuery, response: { 200: Type.Object({ sessions: Type.Array(AssistantSession) }), ...errorResponses } },
  }, async (request) => {
    const auth = authOf(request);
    const { days, source, limit } = request.query;
    const sessions = await repo.listSessions(db, { tenantId: auth.tenantId, projectId: auth.projectId, source, since: new Date(Date.now() - days * DAY_MS), limit });
    return { sessions };
  });

  app.get('/sessions/:id', {
    config: { scope: 'read' },
    schema: {
      tags, summary: 'One session: its figures and its activities in the order they happened', params: Params, querystring: DetailQuery,
      response: { 200: Type.Object({ session: AssistantSession, activities: Type.Array(Type.Ref(Activity)) }), ...errorResponses },
    },
  }, async (request) => {
    const auth = authOf(request);
    const q = { tenantId: auth.tenantId, projectId: auth.projectId, sessionId: request.params.id };
    const session = await repo.getSession(db, q);
    if (!session) throw new NotFoundError('session', request.params.id);
    return { session, activities: await repo.listSessionActivities(db, { ...q, limit: request.query.limit }) };
  });
};

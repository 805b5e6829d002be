import type { Queryable } from '../../db/database.ts';
import { activityColumns } from '../activities/activity-columns.ts';
import type { ActivityRow } from '../activities/activities.types.ts';

export interface AssistantSessionRow {
  session_id: string;
  user_id: string | null;
  cwd: string | null;
  first_at: Date;
  last_at: Date;
  events: number;
  prompts: number;
  tool_calls: number;
  failures: number;
  ended: boolean;
}

/** Aggregates of hook activities by session; `in_progress` tool halves are not calls of their own. */
const AGGREGATE = `
  session_id,
  max(user_id) AS user_id,
  max(data->>'cwd') AS cwd,
  min(occurred_at) AS first_at,
  max(occurred_at) AS last_at,
  count(*)::int AS events,
  count(*) FILTER (WHERE type = 'prompt')::int AS prompts,
  count(*) FILTER (WHERE type = 'tool' AND status IS DISTINCT FROM 'in_progress')::int AS tool_calls,
  count(*) FILTER (WHERE status = 'failed')::int AS failures,
  bool_or(action_name = 'SessionEnd') AS ended`;

/**
 * Sessions seen since `since`, most recently active first. Reads the (tenant_id, occurred_at)
 * index for the window and groups what it finds: a window of days holds few sessions.
 */
export async function listSessions(db: Queryable, q: { tenantId: string; projectId: string | null; source: string; since: Date; limit: number }): Promise<AssistantSessionRow[]> {
  const { rows } = await db.query<AssistantSessionRow>(
    `SELECT ${AGGREGATE}
     FROM activities
     WHERE tenant_id = $1 AND occurred_at >= $2 AND source = $3 AND session_id IS NOT NULL
       AND ($4::text IS NULL OR project_id = $4)
     GROUP BY session_id
     ORDER BY max(occurred_at) DESC, session_id
     LIMIT $5`,
    [q.tenantId, q.since, q.source, q.projectId, q.limit],
  );
  return rows;
}

export async function getSession(db: Queryable, q: { tenantId: string; projectId: string | null; sessionId: string }): Promise<AssistantSessionRow | null> {
  const { rows } = await db.query<AssistantSessionRow>(
    `SELECT ${AGGREGATE}
     FROM activities
     WHERE tenant_id = $1 AND session_id = $2 AND ($3::text IS NULL OR project_id = $3)
     GROUP BY session_id`,
    [q.tenantId, q.sessionId, q.projectId],
  );
  return rows[0] ?? null;
}

/** The session's activities in the order they happened (its timeline). */
export async function listSessionActivities(db: Queryable, q: { tenantId: string; projectId: string | null; sessionId: string; limit: number }): Promise<ActivityRow[]> {
  const { rows } = await db.query<ActivityRow>(
    `SELECT ${activityColumns('a')} FROM activities a
     WHERE tenant_id = $1 AND session_id = $2 AND ($3::text IS NULL OR project_id = $3)
     ORDER BY occurred_at, seq
     LIMIT $4`,
    [q.tenantId, q.sessionId, q.projectId, q.limit],
  );
  return rows;
}

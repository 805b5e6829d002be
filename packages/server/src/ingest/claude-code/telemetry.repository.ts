import type { Queryable } from '../../db/database.ts';
import { activityColumns } from '../../domain/activities/activity-columns.ts';
import type { ActivityRow, NewActivity } from '../../domain/activities/activities.types.ts';
import type { UsagePoint } from './telemetry.mapping.ts';

/**
 * Puts telemetry onto activities that exist already (the hook's, or its own from an earlier
 * export): under data.telemetry, plus the duration and status where the hook left none.
 * Primary-key hits; runs before the append of the others, which holds the seq lock last.
 */
export async function mergeTelemetry(tx: Queryable, tenantId: string, activities: readonly NewActivity[]): Promise<string[]> {
  if (activities.length === 0) return [];
  const { rows } = await tx.query<{ id: string }>(
    `UPDATE activities AS a
     SET data = coalesce(a.data, '{}'::jsonb) || jsonb_build_object('telemetry', r.data->'telemetry'),
       duration_ms = coalesce(a.duration_ms, r.duration_ms),
       status = CASE WHEN a.status IS NULL OR a.status = 'in_progress' AND r.status IN ('success', 'failed') THEN r.status ELSE a.status END
     FROM jsonb_to_recordset($2::jsonb) AS r(id text, data jsonb, duration_ms bigint, status text)
     WHERE a.tenant_id = $1 AND a.id = r.id
     RETURNING a.id`,
    [tenantId, JSON.stringify(activities.map((a) => ({ id: a.id, data: a.data, duration_ms: a.duration_ms ?? null, status: a.status ?? null })))],
  );
  return rows.map((r) => r.id);
}

/**
 * A hook payload for a tool call whose activity telemetry created first: the hook's fields
 * take over and the telemetry stays under data.telemetry. A hook activity (data has
 * hook_event_name) is never touched, so a resent hook stays a no-op.
 */
export async function adoptTelemetryActivity(tx: Queryable, tenantId: string, activity: NewActivity): Promise<ActivityRow | null> {
  const { rows } = await tx.query<ActivityRow>(
    `UPDATE activities a
     SET data = $3::jsonb || jsonb_build_object('telemetry', data->'telemetry'),
       target_name = coalesce($4, target_name), action_description = coalesce($5, action_description),
       status = CASE WHEN $6::text IS NULL OR $6 = 'in_progress' AND status IS NOT NULL THEN status ELSE $6 END
     WHERE tenant_id = $1 AND id = $2 AND NOT coalesce(data ? 'hook_event_name', false)
     RETURNING ${activityColumns('a')}`,
    [tenantId, activity.id, JSON.stringify(activity.data ?? {}), activity.target_name ?? null, activity.action_description ?? null, activity.status ?? null],
  );
  return rows[0] ?? null;
}

/** Usage points; a point seen again (re-export, or a later value of a cumulative series) keeps the latest. */
export async function upsertUsage(db: Queryable, tenantId: string, points: readonly UsagePoint[]): Promise<void> {
  if (points.length === 0) return;
  await db.query(
    `INSERT INTO claude_code_usage AS u (tenant_id, session_id, series, start_ns, interval_end_ns, time_ns, model, kind, value)
     SELECT DISTINCT ON (r.session_id, r.series, r.start_ns, r.interval_end_ns)
       $1::uuid, r.session_id, r.series, r.start_ns, r.interval_end_ns, r.time_ns, r.model, r.kind, r.value
     FROM jsonb_to_recordset($2::jsonb) AS r(session_id text, series text, start_ns bigint, interval_end_ns bigint,
       time_ns bigint, model text, kind text, value double precision)
     ORDER BY r.session_id, r.series, r.start_ns, r.interval_end_ns, r.time_ns DESC
     ON CONFLICT (tenant_id, session_id, series, start_ns, interval_end_ns) DO UPDATE
       SET value = EXCLUDED.value, time_ns = EXCLUDED.time_ns
       WHERE EXCLUDED.time_ns >= u.time_ns`,
    [tenantId, JSON.stringify(points)],
  );
}

export interface UsageRow {
  model: string;
  kind: string;
  value: number;
}

/** A session's usage per model and kind (primary key prefix). */
export async function sessionUsage(db: Queryable, tenantId: string, sessionId: string): Promise<UsageRow[]> {
  const { rows } = await db.query<UsageRow>(
    `SELECT model, kind, sum(value)::float8 AS value FROM claude_code_usage
     WHERE tenant_id = $1 AND session_id = $2 GROUP BY model, kind ORDER BY model, kind`,
    [tenantId, sessionId],
  );
  return rows;
}

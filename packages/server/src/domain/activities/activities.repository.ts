import type { Queryable } from '../../db/database.ts';
import { whereBuilder } from '../../db/where.ts';
import { activityColumns, COLUMNS_BUT_RENDER } from './activity-columns.ts';
import type { ActivityRow, KnownRender, NewActivity } from './activities.types.ts';

/**
 * Appends activities in one set-based statement and gives them the tenant's next seqs.
 *
 * The seq comes from the tenant's activity_sequences row, updated in the writer's own
 * transaction: the row lock orders writers, so seqs become visible in commit order and a
 * reader that has seen seq N never later finds a smaller one appear (SPEC §5). Callers run
 * this last in their transaction, so the lock is held only until commit.
 * Rows whose id already exists are skipped (idempotent resend) and use no seq.
 * A row with a payload is stored PENDING: that row is its render job (rendering/, migration 0014);
 * or COMPLETED pointing at `renders[i]`, the cached render its shape already has
 * (rendering/known-renders.ts, migration 0019).
 */
/** No payload to render: NULL, or an empty object, array or string. */
const EMPTY_PAYLOAD_SQL = `(data IS NULL OR data IN ('null'::jsonb, '{}'::jsonb, '[]'::jsonb, '""'::jsonb))`;

export async function appendActivities(
  tx: Queryable, tenantId: string, activities: readonly NewActivity[], renders: readonly (KnownRender | null)[] = [],
): Promise<ActivityRow[]> {
  if (activities.length === 0) return [];
  const payload = activities.map((a, n) => ({
    ...a, n, data: a.data ?? null, data_schema: a.data_schema ?? null,
    render_analyzer: renders[n]?.analyzerKey ?? null, render_fingerprint: renders[n]?.fingerprint ?? null,
  }));
  const { rows } = await tx.query<ActivityRow>(
    `WITH input AS (
       SELECT r.* FROM jsonb_to_recordset($2::jsonb) AS r(
         n int, id text, project_id text, workspace_id uuid, user_id text, type text, action_name text,
         action_description text, target_name text, status text, duration_ms bigint, is_automated boolean,
         priority int, source text, session_id text, run_id text, work_unit_id text, data jsonb,
         data_schema jsonb, occurred_at timestamptz, render_analyzer text, render_fingerprint text)
       -- One primary-key probe per row (OFFSET 0 keeps the planner from turning this into a
       -- join that reads all of the tenant's activities when its statistics are stale).
       WHERE NOT EXISTS (SELECT 1 FROM activities a WHERE a.tenant_id = $1 AND a.id = r.id OFFSET 0)
     ),
     numbered AS (
       SELECT input.*, row_number() OVER (ORDER BY n) AS k, count(*) OVER () AS total FROM input
     ),
     allocated AS (
       INSERT INTO activity_sequences AS s (tenant_id, last_seq)
       SELECT $1, count(*) FROM input HAVING count(*) > 0
       ON CONFLICT (tenant_id) DO UPDATE SET last_seq = s.last_seq + EXCLUDED.last_seq
       RETURNING last_seq
     )
     INSERT INTO activities (tenant_id, id, seq, project_id, workspace_id, user_id, type, action_name,
       action_description, target_name, status, duration_ms, is_automated, priority, source, session_id,
       run_id, work_unit_id, data, data_schema, occurred_at, processing_status, processed_at, processing_attempts,
       render_analyzer, render_fingerprint)
     SELECT $1, id, allocated.last_seq - total + k, project_id, workspace_id, user_id, type, action_name,
       action_description, target_name, status, duration_ms, coalesce(is_automated, false), priority, source,
       session_id, run_id, work_unit_id, data, data_schema, coalesce(occurred_at, now()),
       -- The render job (SPEC §6): a PENDING row is the job, committed with the write (0014).
       CASE WHEN ${EMPTY_PAYLOAD_SQL} THEN 'SKIPPED' WHEN render_fingerprint IS NOT NULL THEN 'COMPLETED' ELSE 'PENDING' END,
       CASE WHEN ${EMPTY_PAYLOAD_SQL} OR render_fingerprint IS NOT NULL THEN now() END,
       CASE WHEN render_fingerprint IS NOT NULL THEN 1 ELSE 0 END,
       render_analyzer, render_fingerprint
     FROM numbered, allocated
     ORDER BY k
     -- A concurrent resend of the same id loses the race here; its seq stays unused (a gap
     -- that never fills is harmless to readers, unlike one that fills later).
     ON CONFLICT (tenant_id, id) DO NOTHING
     RETURNING ${COLUMNS_BUT_RENDER}`,
    [tenantId, JSON.stringify(payload)],
  );
  const renderOf = new Map<string, object>();
  activities.forEach((a, n) => renders[n] && renderOf.set(a.id, renders[n]!.render));
  for (const row of rows) row.schema_render = row.processing_status === 'COMPLETED' ? renderOf.get(row.id) ?? null : null;
  return rows;
}

/**
 * Catch-up: the tenant's activities after a seq, oldest first (the unique (tenant_id, seq)
 * index). Seqs are allocated in commit order, so nothing can later appear below the last one.
 */
export async function listActivitiesAfterSeq(db: Queryable, tenantId: string, afterSeq: number, limit: number): Promise<ActivityRow[]> {
  const { rows } = await db.query<ActivityRow>(
    `SELECT ${activityColumns('a')} FROM activities a WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [tenantId, afterSeq, limit],
  );
  return rows;
}

/** The tenant's newest seq (0 before its first activity). */
export async function lastSeq(db: Queryable, tenantId: string): Promise<number> {
  const { rows } = await db.query<{ last_seq: number }>(`SELECT last_seq FROM activity_sequences WHERE tenant_id = $1`, [tenantId]);
  return rows[0]?.last_seq ?? 0;
}

export interface ActivityFilter {
  type?: string[];
  status?: string[];
  user_id?: string;
  session_id?: string;
  run_id?: string;
  work_unit_id?: string;
  source?: string;
  since?: string;
  until?: string;
}

/**
 * The feed: newest first by seq (unique per tenant, so the keyset cursor is exact), or, with
 * `afterSeq`, oldest first after that seq for catch-up. Both use the (tenant_id, seq) index.
 */
export async function listActivities(
  db: Queryable,
  tenantId: string,
  filter: ActivityFilter,
  page: { beforeSeq?: number; afterSeq?: number; limit: number },
): Promise<ActivityRow[]> {
  const where = whereBuilder('tenant_id = $1', tenantId);
  const add = where.add;
  if (filter.type?.length) add((p) => `type = ANY(${p}::text[])`, filter.type);
  if (filter.status?.length) add((p) => `status = ANY(${p}::text[])`, filter.status);
  for (const column of ['user_id', 'session_id', 'run_id', 'work_unit_id', 'source'] as const) {
    if (filter[column] !== undefined) add((p) => `${column} = ${p}`, filter[column]);
  }
  if (filter.since) add((p) => `occurred_at >= ${p}::timestamptz`, filter.since);
  if (filter.until) add((p) => `occurred_at < ${p}::timestamptz`, filter.until);
  const ascending = page.afterSeq !== undefined;
  if (ascending) add((p) => `seq > ${p}`, page.afterSeq);
  else if (page.beforeSeq !== undefined) add((p) => `seq < ${p}`, page.beforeSeq);
  const { rows } = await db.query<ActivityRow>(
    `SELECT ${activityColumns('a')} FROM activities a WHERE ${where.sql()}
     ORDER BY seq ${ascending ? 'ASC' : 'DESC'} LIMIT ${where.param(page.limit)}`,
    where.params,
  );
  return rows;
}

export async function getActivity(db: Queryable, tenantId: string, id: string): Promise<ActivityRow | null> {
  const { rows } = await db.query<ActivityRow>(`SELECT ${activityColumns('a')} FROM activities a WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  return rows[0] ?? null;
}

/** Seed 002's statistics over a window: counts by status, type and source, durations. */
export async function activityStats(db: Queryable, tenantId: string, since: Date) {
  const { rows } = await db.query<{ dimension: string; key: string | null; n: number; avg_ms: number | null; automated: number }>(
    `SELECT d.dimension, d.key, count(*) AS n, avg(a.duration_ms)::float8 AS avg_ms,
            count(*) FILTER (WHERE a.is_automated) AS automated
     FROM activities a
     CROSS JOIN LATERAL (VALUES ('status', a.status), ('type', a.type), ('source', a.source), ('all', NULL)) AS d(dimension, key)
     WHERE a.tenant_id = $1 AND a.occurred_at >= $2
     GROUP BY d.dimension, d.key`,
    [tenantId, since],
  );
  return rows;
}

/** Seed 000's summary: runs created in the window, counted by status. */
export async function runCountsByStatus(db: Queryable, tenantId: string, since: Date) {
  const { rows } = await db.query<{ status: string; n: number }>(
    `SELECT status, count(*) AS n FROM runs WHERE tenant_id = $1 AND created_at >= $2 GROUP BY status`,
    [tenantId, since],
  );
  return rows;
}

export async function getActivities(db: Queryable, tenantId: string, ids: readonly string[]): Promise<ActivityRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<ActivityRow>(
    `SELECT ${activityColumns('a')} FROM activities a WHERE tenant_id = $1 AND id = ANY($2::text[])`, [tenantId, ids]);
  return rows;
}

/**
 * Sets each PostToolUse activity's duration from the PreToolUse of the same tool call, once
 * both are stored and the Post has none yet; returns the durations set, by Post id.
 *
 * Run after appending either half, in the same transaction: the append holds the tenant's
 * activity_sequences row lock, so of two halves written at once the second one sees the first
 * committed, whichever arrives first (a spooled Pre can be delivered after its Post).
 */
export async function pairToolDurations(
  tx: Queryable, tenantId: string, pairs: readonly { preId: string; postId: string }[],
): Promise<Map<string, number>> {
  if (pairs.length === 0) return new Map();
  const { rows } = await tx.query<{ id: string; duration_ms: number }>(
    `UPDATE activities AS post
     SET duration_ms = greatest(0, round(extract(epoch FROM post.occurred_at - pre.occurred_at) * 1000))::bigint
     FROM unnest($2::text[], $3::text[]) AS p(pre_id, post_id), activities AS pre
     WHERE post.tenant_id = $1 AND post.id = p.post_id AND post.duration_ms IS NULL
       AND pre.tenant_id = $1 AND pre.id = p.pre_id
     RETURNING post.id, post.duration_ms`,
    [tenantId, pairs.map((p) => p.preId), pairs.map((p) => p.postId)],
  );
  return new Map(rows.map((r) => [r.id, r.duration_ms]));
}

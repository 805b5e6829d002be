import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import * as repo from './activities.repository.ts';
import { orThrow, type WriteService } from '../write/write.service.ts';
import type { CreateActivityBody, ListActivitiesQuery } from './activities.schemas.ts';
import { TEAM_FEED_TYPES, type ActivityRow } from './activities.types.ts';

export interface ActivitiesServiceDeps {
  db: Database;
  writes: Pick<WriteService, 'submit'>;
}

const HOUR_MS = 3_600_000;

/** Seed 000's event shape, read from the activity row. */
function feedEvent(row: ActivityRow) {
  const data = (row.data ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    id: row.id,
    seq: row.seq,
    type: row.type,
    user_id: row.user_id,
    user_name: text(data.user_name),
    work_unit_id: row.work_unit_id,
    work_unit_name: text(data.work_unit_name) ?? row.target_name,
    timestamp: row.occurred_at,
    details: row.data,
    processing_status: row.processing_status,
    schema_render: row.schema_render,
    processed_at: row.processed_at,
    processing_error: row.processing_error,
    processing_attempts: row.processing_attempts,
  };
}

function decodeSeqCursor(cursor: string): number {
  const seq = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(seq) || seq < 1) throw new ValidationError('cursor', 'is not a cursor this API returned');
  return seq;
}

export function createActivitiesService({ db, writes }: ActivitiesServiceDeps) {
  return {
    /** Idempotent on a client id: a resend answers the stored activity (created = false). */
    async create(auth: AuthContext, body: CreateActivityBody): Promise<{ activity: ActivityRow; created: boolean }> {
      const intent = { type: 'activity.create' as const, id: body.id ?? randomUUID(), body: body as Record<string, unknown>, auth, at: '' };
      const result = orThrow(await writes.submit(intent));
      return { activity: result.activity!, created: result.status === 201 };
    },

    async get(auth: AuthContext, id: string): Promise<ActivityRow> {
      const row = await repo.getActivity(db, auth.tenantId, id);
      if (!row) throw new NotFoundError('activity', id);
      return row;
    },

    async list(auth: AuthContext, q: ListActivitiesQuery) {
      if (q.after_seq !== undefined && q.cursor) throw new ValidationError('cursor', 'cannot be combined with after_seq');
      const beforeSeq = q.cursor ? decodeSeqCursor(q.cursor) : undefined;
      const rows = await repo.listActivities(db, auth.tenantId, q, { beforeSeq, afterSeq: q.after_seq, limit: q.limit });
      const last = rows[rows.length - 1];
      const newestFirst = q.after_seq === undefined;
      return {
        activities: rows,
        next_cursor: newestFirst && rows.length === q.limit && last ? Buffer.from(String(last.seq)).toString('base64url') : null,
        last_seq: newestFirst ? rows[0]?.seq ?? 0 : last?.seq ?? q.after_seq ?? 0,
      };
    },

    /** GET /activity/team and /activity/my: seed 000's events, newest first. */
    async feed(auth: AuthContext, limit: number, userId: string | null) {
      const rows = await repo.listActivities(db, auth.tenantId, { type: [...TEAM_FEED_TYPES], user_id: userId ?? undefined }, { limit });
      return rows.map(feedEvent);
    },

    /** GET /activities/summary (seed 002). */
    async stats(auth: AuthContext, hours: number) {
      const rows = await repo.activityStats(db, auth.tenantId, new Date(Date.now() - hours * HOUR_MS));
      const group = (dimension: string) =>
        Object.fromEntries(rows.filter((r) => r.dimension === dimension).map((r) => [r.key ?? 'unknown', r.n]));
      const all = rows.find((r) => r.dimension === 'all');
      return {
        period_hours: hours,
        total: all?.n ?? 0,
        automated: all?.automated ?? 0,
        avg_duration_ms: all?.avg_ms === null || all?.avg_ms === undefined ? null : Math.round(all.avg_ms),
        by_status: group('status'),
        by_type: group('type'),
        by_source: group('source'),
      };
    },

    /** GET /activity/summary?hours= (seed 000): runs in the window by status, success rate. */
    async runSummary(auth: AuthContext, hours: number) {
      const rows = await repo.runCountsByStatus(db, auth.tenantId, new Date(Date.now() - hours * HOUR_MS));
      const count = (status: string) => rows.find((r) => r.status === status)?.n ?? 0;
      const total = rows.reduce((sum, r) => sum + r.n, 0);
      return {
        period_hours: hours,
        total_runs: total,
        completed: count('completed'),
        failed: count('failed'),
        pending: count('pending'),
        running: count('running'),
        cancelled: count('cancelled'),
        success_rate: total > 0 ? Math.round((count('completed') / total) * 100) / 100 : 0,
      };
    },
  };
}

export type ActivitiesService = ReturnType<typeof createActivitiesService>;

import type { Database } from '../../db/database.ts';
import { clientTime } from '../../lib/time.ts';
import type { ActivitiesService } from '../../domain/activities/activities.service.ts';
import type { ActivityRow } from '../../domain/activities/activities.types.ts';
import type { AuthContext } from '../../domain/auth/auth.types.ts';
import { mapHookPayload } from './claude-code.mapping.ts';
import * as repo from './claude-code.repository.ts';
import * as telemetry from './telemetry.repository.ts';
import type { ClaudeCodeHookPayload, HookResult } from './claude-code.schemas.ts';

export interface ClaudeCodeServiceDeps {
  db: Database;
  activities: ActivitiesService;
}

function result(row: ActivityRow): HookResult {
  return { id: row.id, seq: row.seq, duration_ms: row.duration_ms };
}

export function createClaudeCodeService({ db, activities }: ClaudeCodeServiceDeps) {
  return {
    /**
     * One hook payload → one activity of the caller's tenant. A resend (same tool_use_id, or
     * the same payload with the same runlog_observed_at) stores nothing and answers the
     * stored activity with created = false.
     */
    async ingest(auth: AuthContext, payload: ClaudeCodeHookPayload): Promise<{ result: HookResult; created: boolean }> {
      const observedAt = clientTime('runlog_observed_at', payload.runlog_observed_at) ?? new Date();
      const { activity, pair } = mapHookPayload(payload, observedAt);
      const row = await db.transaction(async (tx) => {
        const [stored] = await activities.append(tx, auth.tenantId, [{ ...activity, user_id: auth.userId, project_id: auth.projectId }]);
        // Claude Code's telemetry may have recorded this tool call first: the hook takes it over.
        if (!stored && pair) await telemetry.adoptTelemetryActivity(tx, auth.tenantId, activity);
        if (!stored || !pair) return stored ?? null;
        const duration = await repo.pairToolDuration(tx, auth.tenantId, pair.preId, pair.postId);
        return stored.id === pair.postId && duration !== null ? { ...stored, duration_ms: duration } : stored;
      });
      if (row) {
        activities.publish(auth.tenantId, [row]);
        return { result: result(row), created: true };
      }
      return { result: result(await activities.get(auth, activity.id)), created: false };
    },
  };
}

export type ClaudeCodeService = ReturnType<typeof createClaudeCodeService>;

import type { Queryable } from '../../db/database.ts';
import { clientTime } from '../../lib/time.ts';
import type { ActivityRow } from '../../domain/activities/activities.types.ts';
import type { AuthContext } from '../../domain/auth/auth.types.ts';
import { orThrow, type WriteService } from '../../domain/write/write.service.ts';
import { mapHookPayload } from './claude-code.mapping.ts';
import type { ClaudeCodeHookPayload, HookResult } from './claude-code.schemas.ts';
import { adoptTelemetryActivity } from './telemetry.repository.ts';

export interface ClaudeCodeServiceDeps {
  /** Where a tool call Claude Code's telemetry recorded first is handed to the hook's payload. */
  db: Queryable;
  writes: Pick<WriteService, 'submit'>;
}

function result(row: ActivityRow): HookResult {
  return { id: row.id, seq: row.seq, duration_ms: row.duration_ms };
}

export function createClaudeCodeService({ db, writes }: ClaudeCodeServiceDeps) {
  return {
    /**
     * One hook payload → one activity intent of the caller's tenant, coalesced with the
     * tenant's other writes. A resend (same tool_use_id, or the same payload with the same
     * runlog_observed_at) stores nothing and answers the stored activity with created = false.
     */
    async ingest(auth: AuthContext, payload: ClaudeCodeHookPayload): Promise<{ result: HookResult; created: boolean }> {
      const observedAt = clientTime('runlog_observed_at', payload.runlog_observed_at) ?? new Date();
      const { activity, pair } = mapHookPayload(payload, observedAt);
      const body = { ...activity, occurred_at: observedAt.toISOString() } as Record<string, unknown>;
      const stored = orThrow(await writes.submit({ type: 'activity.create', id: activity.id, body, auth, at: '', ...(pair ? { pair } : {}) }));
      // Claude Code's telemetry (POST /v1/logs) may have recorded this tool call first: the hook takes it over.
      const adopted = stored.status === 200 && pair ? await adoptTelemetryActivity(db, auth.tenantId, activity) : null;
      return { result: result(adopted ?? stored.activity!), created: stored.status === 201 };
    },
  };
}

export type ClaudeCodeService = ReturnType<typeof createClaudeCodeService>;

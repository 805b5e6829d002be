import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../../db/database.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import type { Intent } from '../write/intents.ts';
import { orThrow, type WriteService } from '../write/write.service.ts';
import * as repo from './runs.repository.ts';
import type { CreateRunBody, ListRunsQuery, StepInput } from './runs.schemas.ts';
import type { TransitionAction, TransitionBody } from './transitions.ts';
import type { RunRow } from './runs.types.ts';

export interface RunsServiceDeps {
  db: Database;
  writes: Pick<WriteService, 'submit'>;
}

export function createRunsService({ db, writes }: RunsServiceDeps) {
  async function requireRun(db: Queryable, tenantId: string, id: string): Promise<RunRow> {
    const run = await repo.getRun(db, tenantId, id);
    if (!run) throw new NotFoundError('run', id);
    return run;
  }

  /** A REST call is one intent, coalesced with the tenant's concurrent writes (group commit). */
  const write = async (auth: AuthContext, type: Intent['type'], id: string, body: object) =>
    orThrow(await writes.submit({ type, id, body: body as Record<string, unknown>, auth, at: '' }));

  return {
    /** Idempotent on a client `id` or `external_id`: an existing run is returned unchanged. */
    async create(auth: AuthContext, body: CreateRunBody): Promise<{ run: RunRow; created: boolean }> {
      const result = await write(auth, 'run.create', body.id ?? randomUUID(), body);
      return { run: result.run!, created: result.status === 201 };
    },

    get: (auth: AuthContext, id: string) => requireRun(db, auth.tenantId, id),

    async heartbeat(auth: AuthContext, id: string): Promise<RunRow> {
      return (await write(auth, 'run.heartbeat', id, {})).run!;
    },

    /**
     * start | complete | fail | cancel, checked against TRANSITIONS (409 with the current
     * status); the activity is appended in the same transaction. Repeating the end request
     * that ended the run answers the run unchanged.
     */
    async transition(auth: AuthContext, id: string, action: TransitionAction, body: TransitionBody): Promise<RunRow> {
      return (await write(auth, `run.${action}`, id, body)).run!;
    },

    async list(auth: AuthContext, query: ListRunsQuery) {
      if (query.started_after && query.started_before && query.started_after >= query.started_before) {
        throw new ValidationError('started_before', 'must be after started_after');
      }
      let after: { createdAt: Date; id: string } | null = null;
      if (query.cursor) {
        const [createdAt, runId] = decodeCursor(query.cursor, ['date', 'string']);
        after = { createdAt: createdAt as Date, id: runId as string };
      }
      const rows = await repo.listRuns(db, auth.tenantId, query, after);
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        runs: page,
        next_cursor: rows.length > query.limit && last ? encodeCursor([last.created_at.toISOString(), last.id]) : null,
      };
    },

    recent: (auth: AuthContext, userId: string | undefined, limit: number) =>
      repo.recentRuns(db, auth.tenantId, userId ?? auth.userId, limit),

    async appendSteps(auth: AuthContext, runId: string, steps: StepInput[]) {
      const { steps: counts } = await write(auth, 'steps.append', runId, { steps });
      return { run_id: runId, ...counts! };
    },

    async listSteps(auth: AuthContext, runId: string, afterIndex: number, limit: number) {
      await requireRun(db, auth.tenantId, runId);
      const steps = await repo.listSteps(db, auth.tenantId, runId, afterIndex, limit);
      return { steps, next_after_index: steps.length === limit ? steps[steps.length - 1]!.step_index : null };
    },
  };
}

export type RunsService = ReturnType<typeof createRunsService>;

import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../../db/database.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import type { RunRow } from '../runs/runs.types.ts';
import { orThrow, type WriteService } from '../write/write.service.ts';
import type { WorkspacesService } from '../workspaces/workspaces.service.ts';
import { getWorkUnit } from './registry.repository.ts';
import type { ExecuteBody } from './registry.schemas.ts';

export interface ExecutionServiceDeps {
  db: Database;
  writes: Pick<WriteService, 'transact'>;
  /** Enqueues the dispatch of a new run to its unit's executor, in the creating transaction. */
  enqueueDispatch: (tx: Queryable, job: { tenant_id: string; run_id: string; work_unit_id: string }) => Promise<unknown>;
  workspaces: Pick<WorkspacesService, 'assertCanRunWorkUnit'>;
}

/** What a run started by POST /work-units/{id}/run records as its source. */
export const EXECUTE_SOURCE = 'execute';

/**
 * Running a registered unit (SPEC §4 "Registry"): the pending run, its activity and the job
 * that dispatches it to the unit's webhook commit in one transaction, so a crash never leaves
 * a run nobody will dispatch, nor a dispatch of a run that was never stored.
 */
export function createExecutionService({ db, writes, enqueueDispatch, workspaces }: ExecutionServiceDeps) {
  return {
    /** 404 unknown unit, 403 without the right to run it, 409 without an executor. Idempotent on run_id. */
    async execute(auth: AuthContext, id: string, body: ExecuteBody): Promise<{ run: RunRow; created: boolean }> {
      const unit = await getWorkUnit(db, auth.tenantId, id);
      if (!unit) throw new NotFoundError('work_unit', id);
      await workspaces.assertCanRunWorkUnit(auth, id);
      if (!unit.executor) {
        throw new ConflictError('no_executor', `work unit ${id} has no executor; give it one with PATCH /work-units/${id}`, { work_unit_id: id });
      }
      const request = {
        id: body.run_id,
        project_id: body.project_id,
        user_name: body.user_name,
        work_unit_id: unit.id,
        work_unit_name: unit.name,
        work_unit_type: unit.type,
        input_data: body.input ?? null,
        source: EXECUTE_SOURCE,
        status: 'pending',
      };
      const { results } = await writes.transact(auth.tenantId, [{ type: 'run.create', id: body.run_id ?? randomUUID(), body: request, auth, at: '' }],
        async (tx, { results: [created] }) => {
          if (created!.status === 201) await enqueueDispatch(tx, { tenant_id: auth.tenantId, run_id: created!.id, work_unit_id: unit.id });
        });
      const created = orThrow(results[0]!);
      const result = { run: created.run!, created: created.status === 201 };
      // A repeated run_id answers the stored run, but only if it is this unit's.
      if (!result.created && result.run.work_unit_id !== unit.id) {
        throw new ConflictError('run_in_other_work_unit', `run ${result.run.id} belongs to work unit ${result.run.work_unit_id}`, {
          work_unit_id: result.run.work_unit_id,
        });
      }
      return result;
    },
  };
}

export type ExecutionService = ReturnType<typeof createExecutionService>;

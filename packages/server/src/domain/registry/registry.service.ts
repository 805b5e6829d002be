import type { Database, Queryable } from '../../db/database.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import type { LiveEvent } from '../../events/live-events.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import type { WriteService } from '../write/write.service.ts';
import { applyNotification } from './notify.ts';
import * as repo from './registry.repository.ts';
import type { ListWorkUnitsQuery, NotifyBody, PatchBody, RegisterBody } from './registry.schemas.ts';
import type { WebhookExecutor, WorkUnitRow } from './registry.types.ts';

export interface RegistryServiceDeps {
  db: Database;
  writes: Pick<WriteService, 'apply'>;
  publish: (events: LiveEvent[]) => void;
}

/** The row as the API shows it: no tenant, and the executor's secret reduced to has_secret. */
export function toWorkUnitDto(row: WorkUnitRow) {
  const { tenant_id: _t, executor, ...dto } = row;
  return { ...dto, executor: executor ? { type: executor.type, url: executor.url, has_secret: Boolean(executor.secret) } : null };
}
export type WorkUnitDto = ReturnType<typeof toWorkUnitDto>;

/** A PATCH's executor: without `secret` the current secret stays, `secret: null` removes it. */
function mergeExecutor(current: WebhookExecutor | null, patch: PatchBody['executor']): WebhookExecutor | null | undefined {
  if (patch === undefined || patch === null) return patch;
  const { secret, ...rest } = patch;
  const kept = secret === undefined ? current?.secret : secret ?? undefined;
  return kept ? { ...rest, secret: kept } : rest;
}

const NOTIFY_MESSAGE = 'Workflow run notification processed';

export function createRegistryService({ db, writes, publish }: RegistryServiceDeps) {
  async function requireUnit(q: Queryable, tenantId: string, id: string): Promise<WorkUnitRow> {
    const unit = await repo.getWorkUnit(q, tenantId, id);
    if (!unit) throw new NotFoundError('work_unit', id);
    return unit;
  }

  return {
    /** 409 when the id is taken. Runs recorded earlier under this id count from the start. */
    async register(auth: AuthContext, body: RegisterBody): Promise<WorkUnitDto> {
      const row = await db.transaction(async (tx) => {
        const inserted = await repo.insertWorkUnit(tx, auth.tenantId, {
          id: body.id, name: body.name, version: body.version ?? null, kind: body.kind ?? 'agent', type: body.type ?? 'atomic',
          author: body.author ?? null, description: body.description ?? null, metadata: body.metadata ?? {},
          limits: body.limits ?? {}, executor: body.executor ?? null,
        });
        if (!inserted) throw new ConflictError('work_unit_exists', `work unit ${body.id} is already registered`, { work_unit_id: body.id });
        const [refreshed] = await repo.refreshWorkUnitStats(tx, auth.tenantId, [inserted.id]);
        return refreshed ?? inserted;
      });
      return toWorkUnitDto(row);
    },

    get: async (auth: AuthContext, id: string) => toWorkUnitDto(await requireUnit(db, auth.tenantId, id)),

    async list(auth: AuthContext, query: ListWorkUnitsQuery) {
      const afterId = query.cursor ? (decodeCursor(query.cursor, ['string'])[0] as string) : null;
      const rows = await repo.listWorkUnits(db, auth.tenantId, query, afterId, query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        work_units: page.map(toWorkUnitDto),
        next_cursor: rows.length > query.limit && last ? encodeCursor([last.id]) : null,
      };
    },

    /** Fields present replace the stored ones (metadata and limits as whole objects). */
    async update(auth: AuthContext, id: string, patch: PatchBody): Promise<WorkUnitDto> {
      const row = await db.transaction(async (tx) => {
        const current = await repo.lockWorkUnit(tx, auth.tenantId, id);
        if (!current) throw new NotFoundError('work_unit', id);
        return repo.updateWorkUnit(tx, auth.tenantId, id, { ...patch, executor: mergeExecutor(current.executor, patch.executor) });
      });
      return toWorkUnitDto(row);
    },

    async remove(auth: AuthContext, id: string): Promise<void> {
      if (!(await repo.deleteWorkUnit(db, auth.tenantId, id))) throw new NotFoundError('work_unit', id);
    },

    /** Seed 003's history body; a page past the end is empty with the right total. */
    async runs(auth: AuthContext, id: string, { limit, page }: { limit: number; page: number }) {
      await requireUnit(db, auth.tenantId, id);
      const [runs, total] = await Promise.all([
        repo.listWorkUnitRuns(db, auth.tenantId, id, limit, (page - 1) * limit),
        repo.countWorkUnitRuns(db, auth.tenantId, id),
      ]);
      return { workflow_id: id, runs, page, limit, total };
    },

    /**
     * Idempotent per run_id: the run and the unit's figures only ever move forward. The run
     * write, the unit's figures and the activities commit together; events go out after.
     */
    async notify(auth: AuthContext, id: string, body: NotifyBody) {
      const now = new Date();
      const { run, outcome, events } = await db.transaction(async (tx) =>
        applyNotification(writes, tx, auth, await requireUnit(tx, auth.tenantId, id), body, now));
      publish(events);
      return { message: NOTIFY_MESSAGE, workflow_id: id, run_id: run.id, status: outcome, run_status: run.status };
    },
  };
}

export type RegistryService = ReturnType<typeof createRegistryService>;

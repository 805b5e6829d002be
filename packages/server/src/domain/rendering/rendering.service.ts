import type { Database } from '../../db/database.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import * as repo from './rendering.repository.ts';

export interface RenderingServiceDeps {
  db: Database;
  /** Tells this process's render worker that a job is due (other nodes find it by polling). */
  wake: () => void;
}

function processing(row: repo.ProcessingRow) {
  return {
    id: row.id,
    processing_status: row.processing_status,
    processed_at: row.processed_at,
    processing_attempts: row.processing_attempts,
    processing_error: row.processing_error,
  };
}

/** The three rendering routes of seed 004: status, render, retry. */
export function createRenderingService({ db, wake }: RenderingServiceDeps) {
  async function load(auth: AuthContext, id: string) {
    const row = await repo.getProcessing(db, auth.tenantId, id);
    if (!row) throw new NotFoundError('activity', id);
    return row;
  }

  return {
    async processing(auth: AuthContext, id: string) {
      return processing(await load(auth, id));
    },

    async render(auth: AuthContext, id: string) {
      const row = await load(auth, id);
      if (!row.schema_render) {
        throw new ConflictError('not_rendered', `activity ${id} has no render yet (${row.processing_status})`, { processing_status: row.processing_status });
      }
      return row.schema_render;
    },

    /** A new job for a FAILED activity, or a COMPLETED one with force (the cache is bypassed). */
    async retry(auth: AuthContext, id: string, force: boolean) {
      const queued = await repo.requeue(db, auth.tenantId, id, force);
      if (queued) {
        wake();
        return processing(queued);
      }
      const row = await load(auth, id);
      const status = row.processing_status;
      const details = { processing_status: status };
      if (status === 'PENDING' || status === 'PROCESSING') throw new ConflictError('already_processing', `activity ${id} is ${status}; wait for it to finish`, details);
      if (status === 'COMPLETED') throw new ConflictError('already_completed', `activity ${id} is already rendered; add ?force=true to render it again`, details);
      throw new ConflictError('nothing_to_render', `activity ${id} has no payload to render (${status})`, details);
    },
  };
}

export type RenderingService = ReturnType<typeof createRenderingService>;

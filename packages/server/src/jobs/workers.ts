import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { EventBus } from '../realtime/event-bus.ts';
import type { RunsService } from '../domain/runs/runs.service.ts';
import type { JobQueue } from './job-queue.ts';
import type { RetentionService } from '../domain/retention/retention.service.ts';
import { dispatchRunJob } from './dispatch-run.ts';
import { markStalledJob } from './mark-stalled.ts';
import { pruneExpiredJob } from './prune-expired.ts';
import { QUEUES } from './queues.ts';
import { startRenderWorker, type RenderWorkerDeps } from './render-activities.ts';

export interface WorkerOptions {
  /** A live run silent this long is STALLED (SPEC §3). */
  stallTimeoutMs: number;
  /** The API base executors call back (RUNLOG_PUBLIC_URL + /api/v1). */
  apiUrl: () => string;
}

/**
 * Every background job's handler, started on a container: in the web process by default, or
 * in `runlog worker` processes when a deployment keeps jobs apart from HTTP.
 */
export async function startJobWorkers(
  { db, logger, services: { jobs, bus, runs, retention }, rendering }: {
    db: Database; logger: Logger;
    services: { jobs: JobQueue; bus: EventBus; runs: Pick<RunsService, 'transition'>; retention: Pick<RetentionService, 'prune'> };
    rendering: Pick<RenderWorkerDeps, 'settings' | 'metrics' | 'signal' | 'known'>;
  },
  { stallTimeoutMs, apiUrl }: WorkerOptions,
): Promise<{ stop(): Promise<void> }> {
  await jobs.work(QUEUES.markStalled, markStalledJob({ db, bus, stallTimeoutMs }));
  await jobs.work(QUEUES.dispatchRun, dispatchRunJob({ db, runs, logger, apiUrl }));
  await jobs.work(QUEUES.pruneExpired, pruneExpiredJob({ retention, logger }));
  // Rendering claims its own rows (the PENDING activity is the job), beside pg-boss.
  const render = startRenderWorker({ db, bus, logger, ...rendering });
  return { stop: () => render.stop() };
}

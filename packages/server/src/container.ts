import type { Database } from './db/database.ts';
import type { Logger } from './logger.ts';
import { createActivitiesService } from './domain/activities/activities.service.ts';
import { createAuthService } from './domain/auth/auth.service.ts';
import { createSessionsService } from './domain/auth/sessions.service.ts';
import { createPricingService } from './domain/pricing/pricing.service.ts';
import { createProjectsService } from './domain/projects/projects.service.ts';
import { createExecutionService } from './domain/registry/execution.service.ts';
import { createRegistryService } from './domain/registry/registry.service.ts';
import { createRunsService } from './domain/runs/runs.service.ts';
import { createSignalsService } from './domain/signals/signals.service.ts';
import { createWorkspacesService } from './domain/workspaces/workspaces.service.ts';
import { createUsersService } from './domain/users/users.service.ts';
import { createRetentionService } from './domain/retention/retention.service.ts';
import { registerRetentionMetrics } from './domain/retention/retention.metrics.ts';
import { createWriteService } from './domain/write/write.service.ts';
import { createBatchService } from './ingest/batch/batch.service.ts';
import { createClaudeCodeService } from './ingest/claude-code/claude-code.service.ts';
import { createJobQueue, jobsSchemaFor, type JobQueueOptions } from './jobs/job-queue.ts';
import { QUEUES } from './jobs/queues.ts';
import { createEventBus } from './realtime/event-bus.ts';
import { createWriteMetrics } from './ops/write-metrics.ts';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createRenderSignal } from './domain/rendering/render-signal.ts';
import { createRenderingMetrics } from './domain/rendering/rendering.metrics.ts';
import { createRenderingService } from './domain/rendering/rendering.service.ts';
import { createKnownRenders, rendersAtWrite } from './domain/rendering/known-renders.ts';
import { analyzerKeyOf, DEFAULT_RENDERING, type RenderingSettings } from './domain/rendering/rendering.settings.ts';

export interface ContainerOptions {
  db: Database;
  logger: Logger;
  keyCacheMs?: number;
  /** HMAC secret of API key hashes (null: plain SHA-256, as before). */
  keySecret?: string | null;
  /** Runlog's schema on a PostgreSQL server (the job queue's sits beside it). */
  databaseSchema?: string;
  /** The job queue's schema and worker polling. */
  jobs?: { schema?: string; pollingIntervalSeconds?: number; queueOptions?: JobQueueOptions['queueOptions']; background?: boolean };
  /** Group commit: how long an idle tenant's first write waits for company, and the largest group. */
  write?: { windowMs?: number; maxGroup?: number };
  /** The render worker and the optional LLM analyzer (SPEC §6). */
  rendering?: Partial<RenderingSettings>;
}

/**
 * The composition root: database, bus, services and queue are built once, here. The HTTP
 * app (`runlog serve`) and the job worker (`runlog worker`) both start from a container;
 * each service gets only the narrow dependencies it uses.
 */
export function buildContainer({ db, logger, keyCacheMs = 10_000, keySecret = null, databaseSchema = 'public', jobs: jobOptions = {}, write = {}, rendering = {} }: ContainerOptions) {
  const bus = createEventBus(logger);
  const publish = bus.publish;
  // One metrics registry for the process: HTTP, writes and jobs report into it, /metrics reads it.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createWriteMetrics(registry);
  const pricing = createPricingService({ db });
  // Renders this process knows: the render worker fills it, the writer stores known shapes COMPLETED at once.
  const renderSettings = { ...DEFAULT_RENDERING, ...rendering };
  const renderingMetrics = createRenderingMetrics(db, registry);
  const known = createKnownRenders({ db, logger, analyzerKey: analyzerKeyOf(renderSettings) });
  const writes = createWriteService({
    db, pricing, publish, ...write, onGroup: metrics.observeGroup,
    rendersAtWrite: renderSettings.atWrite ? rendersAtWrite(known, renderingMetrics) : undefined,
  });
  const jobs = createJobQueue({
    db, logger, schema: jobOptions.schema ?? jobsSchemaFor(databaseSchema),
    pollingIntervalSeconds: jobOptions.pollingIntervalSeconds, queueOptions: jobOptions.queueOptions, background: jobOptions.background,
  });
  const auth = createAuthService({ db, logger, keyCacheMs, keySecret, bus });
  // Revoked credentials close the sockets that relied on them (on every node).
  const workspaces = createWorkspacesService({ db, writes, publish, revoke: auth.credentialsRevoked });
  // What the render worker needs (started with the other job workers); the signal wakes it for a retry.
  const renderSignal = createRenderSignal();
  const renderingParts = { settings: renderSettings, metrics: renderingMetrics, signal: renderSignal, known };
  const sessions = createSessionsService({ db, revoke: auth.credentialsRevoked });
  const retention = createRetentionService({ db });
  registerRetentionMetrics(registry, retention);
  // A deactivated user's open sockets close on every node, and their cached keys are forgotten.
  const closeUserSockets = (tenantId: string, userId: string) => auth.credentialsRevoked(tenantId, { userId });
  const services = {
    bus,
    auth,
    sessions,
    pricing,
    writes,
    runs: createRunsService({ db, writes }),
    activities: createActivitiesService({ db, writes }),
    batch: createBatchService({ db, writes, publish }),
    claudeCode: createClaudeCodeService({ db, writes }),
    registry: createRegistryService({ db, writes, publish }),
    execution: createExecutionService({
      db, writes, workspaces, enqueueDispatch: (tx, job) => jobs.sendInTx(tx, QUEUES.dispatchRun, job),
    }),
    workspaces,
    projects: createProjectsService({ db }),
    signals: createSignalsService({ db }),
    rendering: createRenderingService({ db, wake: renderSignal.wake }),
    jobs,
    users: createUsersService({ db, sessions, onUserDeactivated: closeUserSockets }),
    retention,
  };
  return { db, logger, registry, services, rendering: renderingParts };
}

export type Container = ReturnType<typeof buildContainer>;
export type Services = Container['services'];

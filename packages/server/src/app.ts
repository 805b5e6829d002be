import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Database } from './db/database.ts';
import type { Logger } from './logger.ts';
import { createActivitiesService } from './domain/activities/activities.service.ts';
import { activitiesRoutes } from './domain/activities/activities.routes.ts';
import { createAuthService } from './domain/auth/auth.service.ts';
import { createSessionsService } from './domain/auth/sessions.service.ts';
import { createBatchService } from './ingest/batch/batch.service.ts';
import { batchRoutes } from './ingest/batch/batch.routes.ts';
import { claudeCodeRoutes } from './ingest/claude-code/claude-code.routes.ts';
import { authRoutes } from './domain/auth/auth.routes.ts';
import { createPricingService } from './domain/pricing/pricing.service.ts';
import { pricingRoutes } from './domain/pricing/pricing.routes.ts';
import { createRunsService } from './domain/runs/runs.service.ts';
import { runsRoutes } from './domain/runs/runs.routes.ts';
import { createRegistryService } from './domain/registry/registry.service.ts';
import { registryRoutes } from './domain/registry/registry.routes.ts';
import { createExecutionService } from './domain/registry/execution.service.ts';
import { createWorkspacesService } from './domain/workspaces/workspaces.service.ts';
import { workspacesRoutes } from './domain/workspaces/workspaces.routes.ts';
import { createProjectsService } from './domain/projects/projects.service.ts';
import { projectsRoutes } from './domain/projects/projects.routes.ts';
import { createSignalsService } from './domain/signals/signals.service.ts';
import { signalsRoutes } from './domain/signals/signals.routes.ts';
import { createJobQueue, jobsSchemaFor, type JobQueueOptions } from './jobs/job-queue.ts';
import { markStalledJob } from './jobs/mark-stalled.ts';
import { dispatchRunJob, listeningUrl } from './jobs/dispatch-run.ts';
import { QUEUES } from './jobs/queues.ts';
import { fromOwnPages, registerAuthHook, sessionTokenOf } from './http/auth-hook.ts';
import cookie from '@fastify/cookie';
import { DEFAULT_RATE_LIMITS, registerRateLimits, type RateLimits } from './http/rate-limits.ts';
import { httpLimits, type HttpLimits } from './http/connection-limits.ts';
import { frameworkErrors, MAX_PARAM_LENGTH, registerErrorHandler } from './http/error-handler.ts';
import { ErrorBody } from './http/schemas.ts';
import { ForbiddenError } from './errors.ts';
import { buildValidator } from './http/validation.ts';
import { registerOps } from './ops/ops.routes.ts';
import { createEventBus } from './realtime/event-bus.ts';
import { realtimeRoutes, type RealtimeOptions } from './realtime/ws.routes.ts';

export interface AppOptions {
  db: Database;
  logger: Logger;
  bodyLimitBytes?: number;
  keyCacheMs?: number;
  /** WebSocket hub settings; in server mode also the URL and schema its LISTEN connection uses. */
  realtime?: RealtimeOptions;
  /** The job queue's schema (pg-boss keeps its tables apart from Runlog's) and worker polling. */
  jobs?: { schema?: string; pollingIntervalSeconds?: number; queueOptions?: JobQueueOptions['queueOptions'] };
  /** A live run silent this long is STALLED (SPEC §3). */
  stallTimeoutMs?: number;
  /** Where executors reach this server (RUNLOG_PUBLIC_URL); by default the address it listens on. */
  publicUrl?: string;
  /** Proxies whose X-Forwarded-* headers are believed (RUNLOG_TRUST_PROXY): client address and https. */
  trustProxy?: boolean | string;
  /** Sign-in and unauthenticated request limits (per node). */
  rateLimits?: Partial<RateLimits>;
  /** HMAC secret of API key hashes (null: plain SHA-256, as before). */
  keySecret?: string | null;
  /** /readyz answers 503 when the database has not answered in this long. */
  readyTimeoutMs?: number;
  /** Idle and slow connections (README: settings). */
  http?: Partial<HttpLimits>;
}

export const API_PREFIX = '/api/v1';

/** Builds the whole HTTP app on a database; tests build one per file. */
export async function buildApp({
  db, logger, bodyLimitBytes = 5 * 1024 * 1024, keyCacheMs = 10_000, realtime = {}, jobs: jobOptions = {}, stallTimeoutMs = 5 * 60_000, publicUrl,
  trustProxy = false, rateLimits = {}, keySecret = null, readyTimeoutMs, http = {},
}: AppOptions) {
  const limits = httpLimits(http);
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: bodyLimitBytes,
    return503OnClosing: true,
    trustProxy,
    ...limits.fastify,
    // Every id a create route accepts must be addressable in a path (ids: 200 characters).
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    // The factory signature is wider than Fastify's published type; it is called the same way.
    schemaController: { compilersFactory: { buildValidator: buildValidator as never } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerErrorHandler(app as unknown as FastifyInstance);
  app.server.maxConnections = limits.maxConnections;

  // JSON only (OTLP protobuf gets its own parser on its route); anything else is a 415.
  app.removeContentTypeParser('text/plain');

  const bus = createEventBus(logger);
  const auth = createAuthService({ db, logger, keyCacheMs, keySecret, bus });
  const sessions = createSessionsService({ db, revoke: auth.credentialsRevoked });
  const pricing = createPricingService({ db });
  const runs = createRunsService({ db, pricing, bus });
  const activities = createActivitiesService({ db, bus });
  const batch = createBatchService({ db, pricing, activities, bus });
  const registry = createRegistryService({ db, pricing, bus });
  const workspaces = createWorkspacesService({ db, activities, revoke: auth.credentialsRevoked });
  const projects = createProjectsService({ db });
  const signals = createSignalsService({ db });
  const jobs = createJobQueue({ db, logger, schema: jobOptions.schema ?? jobsSchemaFor(realtime.databaseSchema ?? 'public'), pollingIntervalSeconds: jobOptions.pollingIntervalSeconds, queueOptions: jobOptions.queueOptions });
  await jobs.start();
  app.addHook('onClose', () => jobs.stop());
  await jobs.work(QUEUES.markStalled, markStalledJob({ db, bus, stallTimeoutMs }));
  const execution = createExecutionService({ db, runs, jobs, workspaces });
  const apiUrl = () => `${publicUrl ?? listeningUrl(app.server.address())}${API_PREFIX}`;
  await jobs.work(QUEUES.dispatchRun, dispatchRunJob({ db, runs, logger, apiUrl }));
  const services = { bus, auth, sessions, pricing, runs, activities, batch, projects, signals, jobs, workspaces, registry, execution };

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Runlog API', version: '1', description: 'Runs, activity and signals of AI agents, pipelines and workflows.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.addSchema(ErrorBody);

  registerOps(app as unknown as FastifyInstance, db, { readyTimeoutMs });
  await app.register(cookie);
  const signInGuard = await registerRateLimits(app as unknown as FastifyInstance, { ...DEFAULT_RATE_LIMITS, ...rateLimits });
  registerAuthHook(app as unknown as FastifyInstance, auth, sessions);

  await app.register(async (api) => {
    await api.register(authRoutes, { auth, sessions, signInGuard });
    await api.register(pricingRoutes, { pricing });
    await api.register(runsRoutes, { runs });
    await api.register(projectsRoutes, { projects });
    await api.register(signalsRoutes, { signals, runs });
    await api.register(activitiesRoutes, { activities });
    await api.register(batchRoutes, { batch });
    await api.register(registryRoutes, { registry, execution });
    await api.register(claudeCodeRoutes, { db, activities });
    await api.register(workspacesRoutes, { workspaces });
  }, { prefix: API_PREFIX });

  // Realtime (SPEC §5): GET /ws, POST /api/v1/ws-ticket, the hub and the LISTEN/NOTIFY bridge.
  await app.register(realtimeRoutes, {
    ...realtime, bus: services.bus, db, auth, logger, apiPrefix: API_PREFIX,
    // The dashboard's socket: its session cookie, only from this server's own pages.
    authenticateSession: async (request) => {
      const token = sessionTokenOf(request);
      if (!token) return null;
      if (!fromOwnPages(request.headers)) throw new ForbiddenError('the live feed by cookie is only for this server\'s own pages');
      return sessions.authenticate(token);
    },
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return { app, services };
}

export type RunlogApp = Awaited<ReturnType<typeof buildApp>>;

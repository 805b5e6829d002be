import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Database } from './db/database.ts';
import type { Logger } from './logger.ts';
import { activitiesRoutes } from './domain/activities/activities.routes.ts';
import { batchRoutes } from './ingest/batch/batch.routes.ts';
import { claudeCodeRoutes } from './ingest/claude-code/claude-code.routes.ts';
import { sessionUsageRoutes } from './ingest/claude-code/usage.routes.ts';
import { otlpRoutes } from './ingest/otlp/otlp.routes.ts';
import { authRoutes } from './domain/auth/auth.routes.ts';
import { pricingRoutes } from './domain/pricing/pricing.routes.ts';
import { runsRoutes } from './domain/runs/runs.routes.ts';
import { registryRoutes } from './domain/registry/registry.routes.ts';
import { workspacesRoutes } from './domain/workspaces/workspaces.routes.ts';
import { projectsRoutes } from './domain/projects/projects.routes.ts';
import { signalsRoutes } from './domain/signals/signals.routes.ts';
import { renderingRoutes } from './domain/rendering/rendering.routes.ts';
import { usersRoutes } from './domain/users/users.routes.ts';
import { assistantSessionsRoutes } from './domain/assistant-sessions/assistant-sessions.routes.ts';
import { registerDashboard } from './http/dashboard.ts';
import { dashboardRoutes } from './domain/dashboard/dashboard.routes.ts';
import { buildContainer, type Container, type ContainerOptions } from './container.ts';
import { listeningUrl } from './jobs/dispatch-run.ts';
import { startJobWorkers } from './jobs/workers.ts';
import { fromOwnPages, registerAuthHook, sessionTokenOf } from './http/auth-hook.ts';
import cookie from '@fastify/cookie';
import { DEFAULT_RATE_LIMITS, registerRateLimits, type RateLimits } from './http/rate-limits.ts';
import { httpLimits, type HttpLimits } from './http/connection-limits.ts';
import { frameworkErrors, MAX_PARAM_LENGTH, registerErrorHandler } from './http/error-handler.ts';
import { ErrorBody } from './http/schemas.ts';
import { ForbiddenError } from './errors.ts';
import { buildSerializer, buildValidator } from './http/validation.ts';
import { registerOps } from './ops/ops.routes.ts';
import { realtimeRoutes, type RealtimeOptions } from './realtime/ws.routes.ts';

export interface AppOptions extends Omit<ContainerOptions, 'databaseSchema'> {
  bodyLimitBytes?: number;
  /** WebSocket hub settings; in server mode also the URL and schema its LISTEN connection uses. */
  realtime?: RealtimeOptions;
  /** A live run silent this long is STALLED (SPEC §3). */
  stallTimeoutMs?: number;
  /** Where executors reach this server (RUNLOG_PUBLIC_URL); by default the address it listens on. */
  publicUrl?: string;
  /** Work background jobs in this process (default); false when `runlog worker` processes do. */
  runJobs?: boolean;
  /** Proxies whose X-Forwarded-* headers are believed (RUNLOG_TRUST_PROXY): client address and https. */
  trustProxy?: boolean | string;
  /** Sign-in and unauthenticated request limits (per node). */
  rateLimits?: Partial<RateLimits>;
  /** /readyz answers 503 when the database has not answered in this long. */
  readyTimeoutMs?: number;
  /** Idle and slow connections (README: settings). */
  http?: Partial<HttpLimits>;
  /**
   * Leave the job queue and workers to `startBackground()` (serve calls it once listening, so
   * the first request does not wait on them); by default they have started when buildApp returns.
   */
  deferBackground?: boolean;
}

export const API_PREFIX = '/api/v1';

/** Builds the whole HTTP app on a database; tests build one per file. */
export async function buildApp({
  bodyLimitBytes = 5 * 1024 * 1024, realtime = {}, stallTimeoutMs = 5 * 60_000, publicUrl, runJobs = true,
  trustProxy = false, rateLimits = {}, readyTimeoutMs, http = {}, deferBackground = false, ...options
}: AppOptions) {
  const limits = httpLimits(http);
  const container: Container = buildContainer({
    ...options, databaseSchema: realtime.databaseSchema, jobs: { ...options.jobs, background: runJobs },
  });
  const { db, logger, services } = container;
  const { auth, sessions, jobs } = services;
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
    schemaController: { compilersFactory: { buildValidator: buildValidator as never, buildSerializer: buildSerializer as never } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerErrorHandler(app as unknown as FastifyInstance);
  app.server.maxConnections = limits.maxConnections;

  // JSON only (OTLP protobuf gets its own parser on its route); anything else is a 415.
  app.removeContentTypeParser('text/plain');

  // The job queue, and its workers where this process works jobs. An enqueue made before the
  // queue has started waits for it (a new database gets the queue's tables then).
  const apiUrl = () => `${publicUrl ?? listeningUrl(app.server.address())}${API_PREFIX}`;
  let workers: { stop(): Promise<void> } | null = null;
  let background: Promise<void> | null = null;
  let closing = false;
  const startBackground = () => (background ??= (async () => {
    await jobs.start();
    // A server told to stop while its queue was starting takes no job on.
    if (runJobs && !closing) workers = await startJobWorkers(container, { stallTimeoutMs, apiUrl });
  })());
  app.addHook('onClose', async () => {
    closing = true;
    await background?.catch(() => {});
    await workers?.stop();
    await jobs.stop();
  });
  if (!deferBackground) await startBackground();

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

  registerOps(app as unknown as FastifyInstance, db, container.registry, { readyTimeoutMs });
  await app.register(cookie);
  const signInGuard = await registerRateLimits(app as unknown as FastifyInstance, { ...DEFAULT_RATE_LIMITS, ...rateLimits });
  registerAuthHook(app as unknown as FastifyInstance, auth, sessions);

  await app.register(async (api) => {
    const { pricing, runs, projects, signals, activities, batch, registry, execution, claudeCode, workspaces, rendering, users } = services;
    await api.register(authRoutes, { auth, sessions, signInGuard });
    await api.register(pricingRoutes, { pricing });
    await api.register(runsRoutes, { runs });
    await api.register(projectsRoutes, { projects });
    await api.register(signalsRoutes, { signals, runs });
    await api.register(activitiesRoutes, { activities });
    await api.register(renderingRoutes, { rendering });
    await api.register(batchRoutes, { batch });
    await api.register(registryRoutes, { registry, execution });
    await api.register(claudeCodeRoutes, { claudeCode });
    await api.register(sessionUsageRoutes, { db });
    await api.register(workspacesRoutes, { workspaces });
    await api.register(usersRoutes, { users });
    await api.register(assistantSessionsRoutes, { db });
    await api.register(dashboardRoutes, { db, sessions });
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

  // OTLP/HTTP receivers at the root, where exporters post by default (/v1/traces, /v1/logs, /v1/metrics).
  await app.register(otlpRoutes, { db, writes: services.writes, publish: services.bus.publish, bodyLimitBytes });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerDashboard(app as unknown as FastifyInstance);

  // `rendering`: what this process's render worker runs with (its known renders are the writer's).
  return { app, services, rendering: container.rendering, startBackground };
}

export type RunlogApp = Awaited<ReturnType<typeof buildApp>>;

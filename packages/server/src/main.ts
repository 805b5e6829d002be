import { buildApp, API_PREFIX } from './app.ts';
import type { Config } from './config.ts';
import { createLogger } from './logger.ts';
import { openMigrated } from './runtime.ts';
import { KEY_SECRET_GUIDANCE, resolveKeySecret } from './domain/auth/key-secret.ts';
import { setPasswordCost } from './domain/auth/secrets.ts';

/** The settings of the hardening limits and deadlines, as buildApp takes them. */
function hardeningOptions(config: Config, keySecret: string | null) {
  return {
    trustProxy: config.trustProxy,
    keySecret,
    readyTimeoutMs: config.readyTimeoutMs,
    rateLimits: {
      loginPerAccount: config.loginMaxAttempts,
      loginPerAddress: config.loginAddressMaxAttempts,
      loginWindowMs: config.loginWindowMs,
      anonymousPerMinute: config.anonymousRateLimit,
    },
    http: {
      headersTimeoutMs: config.headersTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      maxConnections: config.maxConnections,
    },
  };
}

/**
 * `runlog serve`: config → database → migrations → first-start bootstrap → app → listen.
 * SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the database cleanly.
 */
export async function serve(config: Config, out: (line: string) => void = console.log): Promise<void> {
  const logger = createLogger(config.logLevel);
  const { db, applied, release } = await openMigrated(config);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  setPasswordCost(config.passwordCost);
  const keySecret = resolveKeySecret(config);
  if (keySecret.source === 'none') logger.warn(KEY_SECRET_GUIDANCE);

  const { app, services } = await buildApp({
    db, logger, bodyLimitBytes: config.bodyLimitBytes, keyCacheMs: config.keyCacheMs, stallTimeoutMs: config.stallTimeoutMs,
    publicUrl: config.publicUrl, runJobs: config.jobs,
    rendering: config.rendering,
    ...hardeningOptions(config, keySecret.secret),
    // Server mode: the realtime hub LISTENs on its own connection for the other nodes' events.
    realtime: { databaseUrl: config.databaseUrl, databaseSchema: config.databaseSchema },
  });
  const first = await services.auth.bootstrap(config.initApiKey);

  let stopping: Promise<void> | null = null;
  const stop = (signal: string) => {
    stopping ??= (async () => {
      logger.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        logger.error('shutdown took too long; exiting');
        process.exit(1);
      }, config.shutdownTimeoutMs);
      timer.unref();
      // Answers to requests in flight keep their keep-alive connections open; close each one as
      // soon as it is idle, or app.close() waits for the clients to hang up.
      const reaper = setInterval(() => app.server.closeIdleConnections(), 100);
      reaper.unref();
      await app.close();
      clearInterval(reaper);
      await release();
      logger.info('stopped');
    })();
    return stopping;
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // Nothing is served: release the database (its worker thread / pool would keep the process alive).
    await app.close().catch(() => {});
    await release();
    throw err;
  }
  logger.info({ address, database: db.kind, dataDir: config.databaseUrl ? undefined : config.dataDir }, 'listening');
  if (first) {
    out([
      '',
      `Runlog is ready on ${address} (${db.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'}).`,
      `Created tenant "${first.tenant.name}" with owner ${first.owner.email} (password: ${first.password}).`,
      first.keyFromEnv
        ? 'Admin API key: the value of RUNLOG_INIT_API_KEY.'
        : `Admin API key (shown once, store it now): ${first.key}`,
      `Try: curl -H "Authorization: Bearer <key>" ${address}${API_PREFIX}/runs`,
      '',
    ].join('\n'));
  }
}

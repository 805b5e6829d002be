import type { Config } from './config.ts';
import { analyzeGrownTables } from './db/analyze.ts';
import { whenOpen, type Database } from './db/database.ts';
import { pendingFirstStart, type FirstStartCredentials } from './domain/auth/first-start.ts';
import { createLogger, type Logger } from './logger.ts';
import { checkPortFree } from './port-check.ts';
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

/** The app with its plugins ready (routes registered, hooks run), on a database that may still be opening. */
async function buildServer(config: Config, logger: Logger, db: Database) {
  const { buildApp, API_PREFIX } = await import('./app.ts');
  setPasswordCost(config.passwordCost);
  const keySecret = resolveKeySecret(config);
  if (keySecret.source === 'none') logger.warn(KEY_SECRET_GUIDANCE);
  const { app, services, startBackground } = await buildApp({
    db, logger, bodyLimitBytes: config.bodyLimitBytes, keyCacheMs: config.keyCacheMs, stallTimeoutMs: config.stallTimeoutMs,
    publicUrl: config.publicUrl, runJobs: config.jobs,
    rendering: config.rendering,
    ...hardeningOptions(config, keySecret.secret),
    // Server mode: the realtime hub LISTENs on its own connection for the other nodes' events.
    realtime: { databaseUrl: config.databaseUrl, databaseSchema: config.databaseSchema },
    deferBackground: true,
  });
  await app.ready();
  return { app, services, startBackground, apiPrefix: API_PREFIX, keySecret };
}

/**
 * `runlog serve`: config → port check → (database → migrations, beside the app being built) →
 * first-start bootstrap → listen → job queue and workers → the first-start banner.
 * SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the database cleanly.
 */
export async function serve(config: Config, out: (line: string) => void = console.log): Promise<void> {
  const logger = createLogger(config.logLevel);
  await checkPortFree(config.host, config.port);
  // The app is built on this thread while the database opens and migrates (PGlite: in its own
  // thread); its queries wait for the database, and it listens only once the database is ready.
  const opening = openMigrated(config);
  opening.catch(() => {});
  let built: Awaited<ReturnType<typeof buildServer>>;
  try {
    built = await buildServer(config, logger, whenOpen(config.databaseUrl ? 'postgres' : 'pglite', opening.then((o) => o.db)));
  } catch (err) {
    await opening.then((o) => o.release(), () => {});
    throw err;
  }
  const { app, services, startBackground, apiPrefix, keySecret } = built;
  let opened: Awaited<typeof opening>;
  try {
    opened = await opening;
  } catch (err) {
    await app.close().catch(() => {});
    throw err;
  }
  const { db, applied, release } = opened;
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  let first: Awaited<ReturnType<typeof services.auth.bootstrap>>;
  try {
    first = await services.auth.bootstrap(config.initApiKey);
  } catch (err) {
    await app.close().catch(() => {});
    await release();
    throw err;
  }

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
  // Serving already: the job queue and its workers start now, then the first-start banner (its
  // check that earlier credentials still work takes a password hash). A stop signal may come
  // meanwhile; what fails because of it is no error.
  try {
    await startBackground().catch((err: unknown) => {
      if (!stopping) logger.fatal({ err }, 'the job queue did not start');
      throw err;
    });
    // PGlite has no autovacuum: statistics of the tables that grew since the last start, taken
    // once serving (the first job pass would take them within a minute anyway).
    if (db.kind === 'pglite') void analyzeGrownTables(db).catch((err: unknown) => logger.warn({ err }, 'statistics not refreshed'));
    const credentials = first
      ? { tenantName: first.tenant.name, email: first.owner.email, password: first.password, key: first.keyFromEnv ? null : first.key }
      : await pendingFirstStart(db, keySecret.secret);
    if (credentials) out(banner(address, db, config, credentials, first !== null, apiPrefix));
  } catch (err) {
    if (stopping) return;
    await stop('startup failure');
    throw err;
  }
}

function banner(address: string, db: Database, config: Config, c: FirstStartCredentials, created: boolean, apiPrefix: string): string {
  const where = db.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL';
  return [
    '',
    `Runlog is ready on ${address} (${where}).`,
    created
      ? `Created tenant "${c.tenantName}" with owner ${c.email} (password: ${c.password}).`
      : `Tenant "${c.tenantName}", owner ${c.email}${c.password ? ` (password: ${c.password})` : ''}: shown again until the owner signs in.`,
    c.key
      ? `Admin API key (store it now): ${c.key}`
      : config.initApiKey ? 'Admin API key: the value of RUNLOG_INIT_API_KEY.' : '',
    `Try: curl -H "Authorization: Bearer <key>" ${address}${apiPrefix}/runs`,
    '',
  ].filter((line, i, lines) => line !== '' || i === 0 || i === lines.length - 1).join('\n');
}

import { randomUUID } from 'node:crypto';
import { API_PREFIX } from './app.ts';
import type { Config } from './config.ts';
import { buildContainer } from './container.ts';
import { startJobWorkers } from './jobs/workers.ts';
import { createLogger } from './logger.ts';
import { createNotifyBridge } from './realtime/notify-bridge.ts';
import { openMigrated } from './runtime.ts';

/**
 * `runlog worker`: the background jobs without HTTP, on a PostgreSQL server beside
 * `runlog serve --jobs off` nodes. Live events the jobs publish (a run marked STALLED) reach
 * the web nodes' sockets through LISTEN/NOTIFY; so do the renders its render worker stores. Resolves with a stop function.
 */
export async function work(config: Config): Promise<() => Promise<void>> {
  const logger = createLogger(config.logLevel);
  const { db, release } = await openMigrated(config);
  const container = buildContainer({ db, logger, keyCacheMs: config.keyCacheMs, databaseSchema: config.databaseSchema, rendering: config.rendering });
  const { jobs, bus } = container.services;
  const bridge = createNotifyBridge({
    bus, db, logger, databaseUrl: config.databaseUrl!, schema: config.databaseSchema, nodeId: `worker-${randomUUID()}`,
    receive: () => {}, catchUp: () => {},
  });
  await bridge.start();
  await jobs.start();
  const workers = await startJobWorkers(container, { stallTimeoutMs: config.stallTimeoutMs, apiUrl: () => `${config.publicUrl}${API_PREFIX}` });
  logger.info({ database: db.kind }, 'worker started');
  let stopping: Promise<void> | null = null;
  return () => (stopping ??= (async () => {
    await workers.stop();
    await jobs.stop();
    await bridge.stop();
    await release();
    logger.info('worker stopped');
  })());
}

import { afterAll, beforeAll } from 'vitest';
import { buildApp, type AppOptions } from '../src/app.ts';
import { jobsSchemaFor } from '../src/jobs/job-queue.ts';
import { createLogger } from '../src/logger.ts';
import { openTestDatabase, type Backend, type TestContext, type TestDatabase } from './helpers.ts';

/** Like useApp, with any of buildApp's options (trust proxy, rate limits, key secret…). */
export function useAppWith(backend: Backend, options: Partial<Omit<AppOptions, 'db' | 'logger'>> = {}): TestContext {
  const ctx = { backend } as TestContext;
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await openTestDatabase(backend);
    const built = await buildApp({ db: testDb.db, logger: createLogger('silent'), jobs: { schema: jobsSchemaFor(testDb.schema), pollingIntervalSeconds: 0.5 }, ...options });
    await built.app.ready();
    Object.assign(ctx, { app: built.app, services: built.services, db: testDb.db });
  });
  afterAll(async () => {
    await ctx.app?.close();
    await testDb?.drop();
  });
  return ctx;
}

/** Polls `check` until it returns something truthy (no fixed sleeps in tests). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

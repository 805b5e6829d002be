import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, type RunlogApp } from '../src/app.ts';
import type { Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { jobsSchemaFor, type JobQueueOptions } from '../src/jobs/job-queue.ts';
import { openPglite } from '../src/db/pglite.ts';
import { openPostgres } from '../src/db/postgres.ts';
import type { Scope } from '../src/domain/auth/auth.types.ts';
import { createLogger } from '../src/logger.ts';
import type { RenderingSettings } from '../src/domain/rendering/rendering.settings.ts';
import { setPasswordCost } from '../src/domain/auth/secrets.ts';

// Tests hash passwords at the lowest cost the settings allow (2^14); hardening.sign-in.test.ts checks the shipped one.
setPasswordCost(14);

export type Backend = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when DATABASE_URL is set (CI sets it). */
export const BACKENDS: Backend[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase {
  db: Database;
  schema: string;
  drop: () => Promise<void>;
}

/** A migrated database of its own: in-memory PGlite, or a fresh schema on the PostgreSQL server. */
export async function openTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    // A copy of the database the global setup migrated (test/global-setup.ts); migrate() only checks it.
    const db = await openPglite(null, { loadFrom: process.env.RUNLOG_TEST_PGLITE_TEMPLATE });
    await migrate(db);
    return { db, schema: 'public', drop: () => db.close() };
  }
  const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const url = process.env.DATABASE_URL!;
  const db = openPostgres({ url, schema, max: 10 });
  await migrate(db, schema);
  return {
    db,
    schema,
    drop: async () => {
      await db.exec(`DROP SCHEMA ${schema} CASCADE; DROP SCHEMA IF EXISTS ${jobsSchemaFor(schema)} CASCADE`);
      await db.close();
    },
  };
}

export interface TestContext {
  app: RunlogApp['app'];
  services: RunlogApp['services'];
  /** What this app's render worker runs with (its known renders are the writer's). */
  rendering: RunlogApp['rendering'];
  db: Database;
  backend: Backend;
}

/** Builds the whole app on its own database for one describe block; closed after it. */
export function useApp(
  backend: Backend,
  { queueOptions, ...options }: { keyCacheMs?: number; bodyLimitBytes?: number; stallTimeoutMs?: number; queueOptions?: JobQueueOptions['queueOptions']; write?: { windowMs?: number; maxGroup?: number }; rendering?: Partial<RenderingSettings> } = {},
): TestContext {
  const ctx = { backend } as TestContext;
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await openTestDatabase(backend);
    const built = await buildApp({ db: testDb.db, logger: createLogger('silent'), jobs: { schema: jobsSchemaFor(testDb.schema), pollingIntervalSeconds: 0.5, queueOptions }, ...options });
    await built.app.ready();
    Object.assign(ctx, { app: built.app, services: built.services, rendering: built.rendering, db: testDb.db });
  });
  afterAll(async () => {
    await ctx.app?.close();
    await testDb?.drop();
  });
  return ctx;
}

export interface TestTenant {
  tenantId: string;
  name: string;
  /** Keys by scope set: admin, ingest, read, and ingest+read. */
  keys: { admin: string; ingest: string; read: string; both: string };
}

/** A tenant of its own with one key per scope, so tests never see each other's data. */
export async function createTenant(ctx: TestContext): Promise<TestTenant> {
  const name = `tenant-${randomUUID()}`;
  const tenant = await ctx.services.auth.ensureTenant(name);
  const key = async (scopes: Scope[]) => (await ctx.services.auth.createKey({ tenantId: tenant.id, name: scopes.join('+'), scopes, createdBy: null })).key;
  return {
    tenantId: tenant.id,
    name,
    keys: { admin: await key(['admin']), ingest: await key(['ingest']), read: await key(['read']), both: await key(['ingest', 'read']) },
  };
}

/** `app.inject` with a bearer key and a JSON body. */
export async function call(ctx: TestContext, key: string | null, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  const res = await ctx.app.inject({
    method,
    url: /^\/(api\/|healthz|readyz|metrics|openapi\.json|docs)/.test(url) ? url : `/api/v1${url}`,
    headers: key ? { authorization: `Bearer ${key}` } : {},
    ...(body === undefined ? {} : { payload: body as object }),
  });
  const text = res.body;
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, body: json, headers: res.headers, text };
}

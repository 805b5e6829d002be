import { randomBytes } from 'node:crypto';
import type { AppOptions } from '../../packages/server/src/app.ts';
import type { Database } from '../../packages/server/src/db/database.ts';
import { migrate } from '../../packages/server/src/db/migrate.ts';
import { jobsSchemaFor } from '../../packages/server/src/jobs/job-queue.ts';
import { openPglite } from '../../packages/server/src/db/pglite.ts';
import { openPostgres } from '../../packages/server/src/db/postgres.ts';

/**
 * The databases a benchmark runs on, opened one at a time and migrated, each left as it
 * was found: PGlite in memory, PostgreSQL in a schema of its own that is dropped after.
 */

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const PROBE_TIMEOUT_MS = 3_000;
/** The pool size `runlog serve` uses (openPostgres' default), stated so the report can print it. */
const POOL_MAX = 20;

export interface Backend {
  name: 'pglite' | 'postgres';
  db: Database;
  /** Where the data lives, for the report. */
  detail: string;
  /** What `runlog serve` passes buildApp for this database (server mode: the LISTEN/NOTIFY bridge). */
  realtime: AppOptions['realtime'];
  close(): Promise<void>;
}

export interface BackendOpener {
  name: Backend['name'];
  /** `skipped` (with the reason) when the backend is not available here. */
  open(): Promise<Backend | { skipped: string }>;
}

async function openPgliteBackend(): Promise<Backend> {
  const db = await openPglite(null);
  await migrate(db);
  return { name: 'pglite', db, detail: 'PGlite in memory, in its worker thread', realtime: {}, close: () => db.close() };
}

/** SELECT 1 within a deadline: an unreachable host must not hang the benchmark. */
async function reachable(db: Database): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${PROBE_TIMEOUT_MS} ms`), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([db.query('SELECT 1').then(() => null), deadline]);
  } catch (err) {
    return (err as Error).message || String((err as { code?: string }).code ?? err);
  } finally {
    clearTimeout(timer);
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

async function openPostgresBackend(): Promise<Backend | { skipped: string }> {
  const explicit = process.env.DATABASE_URL;
  const url = explicit || DEFAULT_POSTGRES_URL;
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const db = openPostgres({ url, schema, max: POOL_MAX });
  const problem = await reachable(db);
  if (problem) {
    void db.close().catch(() => {});
    // Asked for by DATABASE_URL: failing to reach it is an error, not a quiet skip.
    if (explicit) throw new Error(`PostgreSQL at ${redact(url)} is not reachable: ${problem}`);
    return { skipped: `no PostgreSQL at ${redact(url)} (${problem}); set DATABASE_URL to use another` };
  }
  try {
    await migrate(db, schema);
  } catch (err) {
    await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await db.close();
    throw err;
  }
  const { rows } = await db.query<{ server_version: string }>('SHOW server_version');
  return {
    name: 'postgres',
    db,
    realtime: { databaseUrl: url, databaseSchema: schema },
    detail: `PostgreSQL ${rows[0]?.server_version ?? '?'} at ${redact(url)}, schema ${schema}, pool of ${POOL_MAX}`,
    close: async () => {
      try {
        // The job queue's schema beside it too (buildApp makes one per schema).
        await db.exec(`DROP SCHEMA ${schema} CASCADE; DROP SCHEMA IF EXISTS ${jobsSchemaFor(schema)} CASCADE`);
      } finally {
        await db.close();
      }
    },
  };
}

/** PGlite always; PostgreSQL when DATABASE_URL is set or the default local server answers. */
export const BACKENDS: BackendOpener[] = [
  { name: 'pglite', open: openPgliteBackend },
  { name: 'postgres', open: openPostgresBackend },
];

/** Opens each chosen backend in turn, runs `fn` on it and closes it; a backend that cannot open says why. */
export async function eachBackend(names: string[], fn: (backend: Backend) => Promise<void>): Promise<void> {
  for (const opener of BACKENDS.filter((o) => names.includes(o.name))) {
    const opened = await opener.open();
    if ('skipped' in opened) {
      console.log(`-- ${opener.name}: skipped, ${opened.skipped}`);
      continue;
    }
    try {
      await fn(opened);
    } finally {
      await opened.close();
    }
  }
}

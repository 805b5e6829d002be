import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Database } from './database.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const FUNCTIONS_DIR = new URL('./functions/', import.meta.url);
/** The squashed pre-release schema: a database that has older versions but not this one cannot be upgraded. */
const BASELINE = 13;
/** Serialises migrations of several nodes starting at once against one PostgreSQL. */
const MIGRATION_LOCK = 4_242_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Forward-only numbered SQL files: NNNN_name.sql, applied in order, each in its own transaction. */
export function loadMigrations(): Migration[] {
  const migrations = readdirSync(MIGRATIONS_DIR)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8'),
    }));
  // Two files of one number (branches merged) would leave the second unapplied, silently.
  const twice = migrations.find((m, i) => i > 0 && migrations[i - 1]!.version === m.version);
  if (twice) throw new Error(`two migrations are numbered ${String(twice.version).padStart(4, '0')}; renumber one`);
  return migrations;
}

export async function appliedVersions(db: Database): Promise<number[]> {
  const { rows } = await db.query<{ version: number }>(
    `SELECT version FROM schema_migrations ORDER BY version`,
  ).catch(() => ({ rows: [] as { version: number }[] }));
  return rows.map((row) => row.version);
}

/** The current SQL functions, one file each, applied in name order (a function's file sorts after those it calls). */
export function loadFunctions(): string[] {
  return readdirSync(FUNCTIONS_DIR)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => readFileSync(new URL(file, FUNCTIONS_DIR), 'utf8'));
}

/**
 * Applies what is missing, then the current SQL functions (CREATE OR REPLACE: a function
 * changes by editing its file); returns the versions it applied.
 */
export async function migrate(db: Database, schema = 'public'): Promise<Migration[]> {
  if (schema !== 'public') await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz(3) NOT NULL DEFAULT now()
  )`);
  const before = await appliedVersions(db);
  if (before.length > 0 && !before.includes(BASELINE)) {
    throw new Error(`this database was made by a pre-release of Runlog (schema version ${Math.max(...before)}); `
      + `upgrade it with that release first, or start a new one`);
  }
  const applied: Migration[] = [];
  // Those applied before are skipped without a transaction each; the others are checked again
  // under the lock (another node may be applying them now).
  for (const migration of loadMigrations().filter((m) => !before.includes(m.version))) {
    const done = await db.transaction(async (tx) => {
      if (db.kind === 'postgres') {
        // A migration may rewrite a large table: no request deadline here.
        await tx.query(`SELECT set_config('statement_timeout', '0', true)`);
        await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      }
      const { rowCount } = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (rowCount > 0) return false;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (done) applied.push(migration);
  }
  const functions = loadFunctions();
  // Applied again only when their text changed since the last start (a start is not kept
  // waiting on recompiling every function).
  const checksum = createHash('sha256').update(functions.join('\n')).digest('hex');
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_functions (checksum text NOT NULL, applied_at timestamptz(3) NOT NULL DEFAULT now())`);
  await db.transaction(async (tx) => {
    if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const { rowCount } = await tx.query('SELECT 1 FROM schema_functions WHERE checksum = $1', [checksum]);
    if (rowCount > 0 && applied.length === 0) return;
    for (const sql of functions) await tx.exec(sql);
    await tx.exec('DELETE FROM schema_functions');
    await tx.query('INSERT INTO schema_functions (checksum) VALUES ($1)', [checksum]);
  });
  return applied;
}

/** True when every migration shipped with this build has been applied (for /readyz). */
export async function migrationsCurrent(db: Database): Promise<boolean> {
  const applied = new Set(await appliedVersions(db));
  return loadMigrations().every((m) => applied.has(m.version));
}

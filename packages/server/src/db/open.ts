import path from 'node:path';
import type { Config } from '../config.ts';
import type { Database } from './database.ts';
import { openPglite } from './pglite.ts';

/** Server mode when DATABASE_URL is set, else the embedded database under the data directory. */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'databaseSchema' | 'dataDir'> & Partial<Pick<Config, 'statementTimeoutMs' | 'jobStatementTimeoutMs' | 'dbConnectTimeoutMs'>>,
): Promise<Database> {
  if (config.databaseUrl) {
    // node-postgres is loaded only here: the embedded database starts without it.
    const { openPostgres } = await import('./postgres.ts');
    const db = openPostgres({
      url: config.databaseUrl,
      schema: config.databaseSchema,
      statementTimeoutMs: config.statementTimeoutMs,
      longStatementTimeoutMs: config.jobStatementTimeoutMs,
      connectTimeoutMs: config.dbConnectTimeoutMs,
    });
    await db.query('SELECT 1');
    return db;
  }
  return openPglite(path.join(config.dataDir, 'pg'));
}

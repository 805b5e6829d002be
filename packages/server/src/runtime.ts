import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { lockDataDir } from './db/data-dir-lock.ts';
import { migrate } from './db/migrate.ts';
import { openDatabase } from './db/open.ts';

/** Opens the configured database (locking an embedded data directory) and migrates it. */
export async function openMigrated(config: Config): Promise<{ db: Database; applied: string[]; release: () => Promise<void> }> {
  const unlock = config.databaseUrl ? () => {} : lockDataDir(config.dataDir);
  let db: Database | null = null;
  try {
    db = await openDatabase(config);
    const applied = await migrate(db, config.databaseUrl ? config.databaseSchema : 'public');
    return {
      db: db as Database,
      applied: applied.map((m) => `${m.version}_${m.name}`),
      release: async () => {
        await db!.close();
        unlock();
      },
    };
  } catch (err) {
    // A database left open (worker thread, pool) would keep the process alive after the error.
    await db?.close().catch(() => {});
    unlock();
    throw err;
  }
}

import { ConfigError, loadConfig } from '../config.ts';
import { DATABASE_SETTINGS } from '../settings.ts';
import { parseCommand, type CommandSpec } from './spec.ts';
import { lockDataDir } from '../db/data-dir-lock.ts';
import { backupDataDir } from '../ops/backup/pglite-backup.ts';

export const BACKUP_SPEC: CommandSpec = {
  name: 'backup',
  about: 'writes a consistent copy of the embedded database to a file (stop the server first); PostgreSQL: use pg_dump',
  usage: ['backup <file> [--data-dir <dir>]'],
  flags: {},
  settings: DATABASE_SETTINGS,
  notes: ['`runlog restore <file> --data-dir <new dir>` brings it back.'],
};

/**
 * `runlog backup <file>`: a consistent copy of the embedded database (stop the server first:
 * the data directory is locked while it runs). `runlog restore <file> --data-dir <new>` brings
 * it back. PostgreSQL has its own tools (pg_dump), so this refuses DATABASE_URL.
 */
export async function backupCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(BACKUP_SPEC, argv, { maxPositionals: 1 });
  const [file] = positionals;
  if (!file) throw new ConfigError('backup', 'needs the file to write (runlog backup <file>)');
  const config = loadConfig(values as Record<string, string>);
  if (config.databaseUrl) throw new ConfigError('backup', 'is for the embedded database; back up PostgreSQL with pg_dump (see the README)');
  const unlock = lockDataDir(config.dataDir);
  try {
    const bytes = await backupDataDir(config.dataDir, file);
    console.log(`backed up ${config.dataDir} to ${file} (${(bytes / 1e6).toFixed(1)} MB); restore with: runlog restore ${file} --data-dir <empty dir>`);
    return 0;
  } finally {
    unlock();
  }
}

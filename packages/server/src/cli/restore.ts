import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config.ts';
import { parseCommand, type CommandSpec } from './spec.ts';
import { lockDataDir } from '../db/data-dir-lock.ts';
import { restoreDataDir } from '../ops/backup/pglite-backup.ts';

export const RESTORE_SPEC: CommandSpec = {
  name: 'restore',
  about: 'unpacks a `runlog backup` file into an empty data directory, which `runlog serve --data-dir` then opens',
  usage: ['restore <file> --data-dir <dir>'],
  flags: {},
  settings: ['data-dir'],
};

/** `runlog restore <file> --data-dir <dir>`: unpacks a `runlog backup` into an empty data directory. */
export async function restoreCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(RESTORE_SPEC, argv, { maxPositionals: 1 });
  const [file] = positionals;
  if (!file) throw new ConfigError('restore', 'needs the backup file (runlog restore <file> --data-dir <dir>)');
  if (!existsSync(file)) throw new ConfigError('restore', `no such file: ${file}`);
  const config = loadConfig(values as Record<string, string>);
  if (config.databaseUrl) throw new ConfigError('restore', 'is for the embedded database; restore PostgreSQL with pg_restore / psql');
  const unlock = lockDataDir(config.dataDir);
  try {
    await restoreDataDir(file, config.dataDir);
    console.log(`restored ${file} into ${config.dataDir}; start it with: runlog serve --data-dir ${config.dataDir}`);
    return 0;
  } finally {
    unlock();
  }
}

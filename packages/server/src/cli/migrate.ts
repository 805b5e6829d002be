import { loadConfig } from '../config.ts';
import { openMigrated } from '../runtime.ts';
import { DATABASE_SETTINGS } from '../settings.ts';
import { parseCommand, type CommandSpec } from './spec.ts';

export const MIGRATE_SPEC: CommandSpec = {
  name: 'migrate',
  about: 'applies the database migrations and exits (`serve` also does at start)',
  usage: ['migrate [settings]'],
  flags: {},
  settings: DATABASE_SETTINGS,
};

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(MIGRATE_SPEC, argv, { maxPositionals: 0 });
  const { applied, release } = await openMigrated(loadConfig(values as Record<string, string>));
  await release();
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'the database is up to date');
  return 0;
}

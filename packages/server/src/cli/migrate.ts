import { loadConfig, parseFlags } from '../config.ts';
import { openMigrated } from '../runtime.ts';

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv);
  const { applied, release } = await openMigrated(loadConfig(values as Record<string, string>));
  await release();
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'the database is up to date');
  return 0;
}

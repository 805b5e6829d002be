import { ConfigError, loadConfig } from '../config.ts';
import { DATABASE_SETTINGS } from '../settings.ts';
import { work } from '../worker.ts';
import { parseCommand, type CommandSpec } from './spec.ts';

export const WORKER_SPEC: CommandSpec = {
  name: 'worker',
  about: 'works the background jobs only, no HTTP (PostgreSQL; beside `runlog serve --jobs off`)',
  usage: ['worker --database-url <url> [settings]'],
  flags: {},
  settings: [...DATABASE_SETTINGS, 'log-level', 'stall-timeout', 'key-cache', 'public-url'],
};

/** `runlog worker`: jobs only, no HTTP; stops on SIGTERM/SIGINT once the jobs in hand finish. */
export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(WORKER_SPEC, argv, { maxPositionals: 0 });
  const config = loadConfig(values as Record<string, string>);
  if (!config.databaseUrl) {
    throw new ConfigError('DATABASE_URL', 'runlog worker needs a PostgreSQL server; on the embedded database the jobs run inside runlog serve');
  }
  const stop = await work(config);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await stop();
  return 0;
}

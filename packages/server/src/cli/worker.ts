import { ConfigError, loadConfig, parseFlags } from '../config.ts';
import { work } from '../worker.ts';

/** `runlog worker`: jobs only, no HTTP; stops on SIGTERM/SIGINT once the jobs in hand finish. */
export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv);
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

import { ConfigError } from '../config.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';

const USAGE = `usage: runlog <command> [options]

commands:
  serve                         serve the API and dashboard (default)
  migrate                       apply database migrations and exit
  worker                        background jobs only, no HTTP (PostgreSQL; beside serve --jobs off)
  keys create --tenant <name> --scopes ingest,read [--name <n>] [--json]
  keys list --tenant <name> [--json]
  keys revoke --tenant <name> <key id>
  users create --tenant <name> --email <e> [--role owner|admin|member|viewer] [--name <n>] [--json]
                                (password from RUNLOG_USER_PASSWORD, else generated and printed once)
  users reset-password --tenant <name> --email <e> [--json]   new password (same rule), ends the user's sessions
  demo [--tenant <name>] [--url URL --key KEY] [--seed N]   load a week of example runs (into a running server with --url)
  export [--tenant <name>] [--output FILE] [--gzip] [--since T] [--until T] [--project P]   one tenant as NDJSON
  import FILE [--tenant <name>]  load an export into the tenant of the same name (importing twice adds nothing)
  prune [--tenant <name>]       delete runs, steps and activities past their project's retention_days
  backup FILE                   copy the embedded database (server stopped); restore FILE --data-dir DIR brings it back
  hook [--url URL] [--key KEY] [--spool FILE]   send a Claude Code hook payload from stdin (never fails; spools when the server is down)

settings (flag or environment):
  --port PORT (3001)  --host HOST (127.0.0.1)  --data-dir RUNLOG_DATA_DIR (./runlog-data)
  --database-url DATABASE_URL  --database-schema RUNLOG_DATABASE_SCHEMA (public)
  --init-api-key RUNLOG_INIT_API_KEY  --log-level LOG_LEVEL (info)
  --stall-timeout RUNLOG_STALL_TIMEOUT_MS (300000)  --body-limit RUNLOG_BODY_LIMIT_BYTES (5242880)
  --jobs RUNLOG_JOBS (on: serve works the background jobs; off: runlog worker processes do)`;

type Command = (argv: string[]) => Promise<number>;
/** Each command is loaded only when it runs: `runlog hook` fires on every tool call and must start fast. */
const COMMANDS: Record<string, Command> = {
  serve: async (argv) => (await import('./serve.ts')).serveCommand(argv),
  migrate: async (argv) => (await import('./migrate.ts')).migrateCommand(argv),
  keys: async (argv) => (await import('./keys.ts')).keysCommand(argv),
  hook: async (argv) => (await import('./hook.ts')).hookCommand(argv),
  users: async (argv) => (await import('./users.ts')).usersCommand(argv),
  demo: async (argv) => (await import('./demo.ts')).demoCommand(argv),
  export: async (argv) => (await import('./export.ts')).exportCommand(argv),
  import: async (argv) => (await import('./import.ts')).importCommand(argv),
  prune: async (argv) => (await import('./prune.ts')).pruneCommand(argv),
  backup: async (argv) => (await import('./backup.ts')).backupCommand(argv),
  restore: async (argv) => (await import('./restore.ts')).restoreCommand(argv),
  worker: async (argv) => (await import('./worker.ts')).workerCommand(argv),
};

/** Runs one command; returns the exit code. A bad setting is one line on stderr and exit 2. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    console.log(USAGE);
    return 0;
  }
  const name = first === undefined || first.startsWith('-') ? 'serve' : first;
  const command = COMMANDS[name];
  if (!command) {
    console.error(`runlog: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(name === first ? rest : argv);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DataDirLockedError) {
      console.error(`runlog: ${err.message}`);
      return 2;
    }
    console.error(`runlog: ${(err as Error).message}`);
    return 1;
  }
}

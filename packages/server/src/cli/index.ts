import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';
import { HelpRequested, nearest, UsageError } from './spec.ts';

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

export const COMMAND_NAMES = (): string[] => Object.keys(COMMANDS);

/** One line per command for `runlog --help`; each command's own `--help` says the rest. */
const SUMMARIES: Record<string, string> = {
  serve: 'serve the API and the dashboard (the default command)',
  migrate: 'apply database migrations and exit',
  keys: 'create, list or revoke API keys',
  users: 'create a person who signs in to the dashboard',
  hook: 'send a coding-assistant hook payload from stdin (never fails; spools when the server is down)',
  worker: 'work the background jobs only, no HTTP (PostgreSQL; beside serve --jobs off)',
  demo: 'load a realistic week of runs, activity and a coding-assistant session (into a running server with --url)',
  export: 'write one tenant as NDJSON (standard output unless --output; --gzip)',
  import: 'load an export into the tenant of the same name (importing twice adds nothing)',
  prune: 'delete runs, steps and activities past their project\'s retention_days',
  backup: 'copy the embedded database to a file (server stopped)',
  restore: 'unpack a backup into an empty --data-dir',
};

export function version(): string {
  // dist/cli and src/cli both sit two levels below the package.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  return [
    `runlog ${version()}: records the runs of AI agents, pipelines and workflows, shows them live, and turns them into signals.`,
    '',
    'usage: runlog <command> [options]      (no command: serve)',
    '',
    'commands:',
    ...Object.keys(COMMANDS).map((name) => `  ${name.padEnd(width)}${SUMMARIES[name] ?? ''}`),
    '',
    'Run `runlog <command> --help` for its options, the environment variables they read and their defaults.',
    '`runlog --version` prints the version.',
    '',
  ].join('\n');
}

/** Runs one command; returns the exit code: 0, 1 when it failed, 2 for a mistake in the command line or a setting. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(overview());
    return 0;
  }
  if (first === '--version' || first === '-v') {
    console.log(`runlog ${version()}`);
    return 0;
  }
  const name = first === undefined || first.startsWith('-') ? 'serve' : first;
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    const near = nearest(name, Object.keys(COMMANDS));
    console.error(`runlog: unknown command "${name}"${near ? `; did you mean "${near}"?` : ''}\n\n${overview()}`);
    return 2;
  }
  try {
    return await command(name === first ? rest : argv);
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(err.text);
      return 0;
    }
    if (err instanceof UsageError) {
      const command = err.command ?? name;
      console.error(`runlog ${command}: ${err.message}\n\n${err.usage}\n\nSee \`runlog ${command} --help\`.`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof DataDirLockedError) {
      console.error(`runlog: ${err.message}`);
      return 2;
    }
    console.error(`runlog: ${(err as Error).message}`);
    return 1;
  }
}

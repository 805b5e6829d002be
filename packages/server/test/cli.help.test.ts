import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../src/cli/index.ts';
import { HOOK_SPEC } from '../src/cli/hook.ts';
import { KEYS_SPEC } from '../src/cli/keys.ts';
import { MIGRATE_SPEC } from '../src/cli/migrate.ts';
import { SERVE_SPEC } from '../src/cli/serve.ts';
import { allFlags, type CommandSpec } from '../src/cli/spec.ts';
import { USERS_SPEC } from '../src/cli/users.ts';
import { WORKER_SPEC } from '../src/cli/worker.ts';
import { DEMO_SPEC } from '../src/cli/demo.ts';
import { EXPORT_SPEC } from '../src/cli/export.ts';
import { IMPORT_SPEC } from '../src/cli/import.ts';
import { PRUNE_SPEC } from '../src/cli/prune.ts';
import { BACKUP_SPEC } from '../src/cli/backup.ts';
import { RESTORE_SPEC } from '../src/cli/restore.ts';
import { USERS_RESET_PASSWORD_SPEC } from '../src/cli/users-reset-password.ts';
import { SETTINGS } from '../src/settings.ts';
import { cleanupTempDirs, killAll, REPO_ROOT, runCli, tempDir } from './process-helpers.ts';

/** `runlog --help`, `--version`, each command's `--help` and its usage errors, through the built CLI; the README's tables against the flag definitions. */

const SPECS: CommandSpec[] = [
  SERVE_SPEC, MIGRATE_SPEC, KEYS_SPEC, USERS_SPEC, USERS_RESET_PASSWORD_SPEC, HOOK_SPEC, WORKER_SPEC,
  DEMO_SPEC, EXPORT_SPEC, IMPORT_SPEC, PRUNE_SPEC, BACKUP_SPEC, RESTORE_SPEC,
];
const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

afterAll(async () => {
  await killAll();
  cleanupTempDirs();
});

/** The rows of the README table whose header starts with `header`, as [flag, environment, default, what]. */
function readmeTable(header: string, after = 0): string[][] {
  const lines = README.split('\n');
  const start = lines.findIndex((line, i) => i >= after && line.startsWith(header));
  expect(start, `a README table headed "${header}"`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim().replace(/`/g, '')));
  }
  return rows;
}

const asRow = (flag: string, spec: { env?: string; default?: string; about: string }) => [`--${flag}`, spec.env ?? '', spec.default ?? 'unset', spec.about];

describe('the README says what the flag definitions say', () => {
  it('the settings table lists every setting with its environment variable, default and meaning', () => {
    expect(readmeTable('| flag | environment | default | what it sets |')).toEqual(SETTINGS.map((s) => asRow(s.flag, s)));
  });

  it('the hook table lists every flag of runlog hook', () => {
    const hookSection = README.split('\n').findIndex((line) => line.startsWith('## Coding-assistant hooks'));
    expect(readmeTable('| flag | environment | default | what it sets |', hookSection)).toEqual(Object.entries(HOOK_SPEC.flags).map(([flag, spec]) => asRow(flag, spec)));
  });

  it('every command is documented', () => {
    for (const name of COMMAND_NAMES()) expect(README, name).toContain(`\`runlog ${name}`);
  });
});

describe.concurrent('runlog explains itself', () => {
  it('--help lists every command and exits 0 without touching a database', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const result = await runCli(['--help'], { RUNLOG_DATA_DIR: dataDir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    for (const name of COMMAND_NAMES()) expect(result.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(result.stdout).toContain('runlog <command> --help');
  });

  it('--version prints the version of the package', async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages/server/package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version'], {});
    expect([result.code, result.stdout, result.stderr]).toEqual([0, `runlog ${version}\n`, '']);
  });

  it.each(SPECS.map((spec) => [spec.name, spec] as const))('%s --help lists every flag with its environment variable', async (name, spec) => {
    const dataDir = path.join(tempDir(), 'data');
    const result = await runCli([...name.split(' '), '--help'], { RUNLOG_DATA_DIR: dataDir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toBe(`runlog ${name}: ${spec.about}`);
    for (const [flag, def] of allFlags(spec)) {
      const line = result.stdout.split('\n').find((text) => text.startsWith(`  --${flag} `) || text.trimEnd() === `  --${flag}` || text.startsWith(`  --${flag}  `));
      expect(line, `--${flag} in ${name} --help`).toBeDefined();
      if (def.env) expect(line).toContain(def.env);
    }
    // Help is answered before anything is opened.
    expect(() => readFileSync(path.join(dataDir, 'runlog.lock'))).toThrow();
  });

  it.each([
    ['keys', ['keys', 'create', '--tennant', 'acme', '--scopes', 'read'], '--tennant', '--tenant'],
    ['users', ['users', 'create', '--tenant', 'acme', '--emial', 'a@example.com'], '--emial', '--email'],
    ['serve', ['serve', '--prot', '3002'], '--prot', '--port'],
    ['serve', ['--data-dri', 'x'], '--data-dri', '--data-dir'],
    ['migrate', ['migrate', '--database-ur', 'postgres://x'], '--database-ur', '--database-url'],
  ])('%s with an unknown flag: exit 2, the nearest flag and the usage', async (name, args, typo, nearest) => {
    const dataDir = path.join(tempDir(), 'data');
    const result = await runCli(args, { RUNLOG_DATA_DIR: dataDir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(`runlog ${name}: unknown flag ${typo}; did you mean ${nearest}?`);
    expect(result.stderr).toContain(`usage:\n  runlog ${name} `);
    expect(() => readFileSync(path.join(dataDir, 'runlog.lock'))).toThrow();
  });

  it('a flag without its value, or a stray argument: exit 2 with the usage', async () => {
    const missing = await runCli(['keys', 'list', '--tenant'], {});
    expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([2, 'runlog keys: --tenant needs a value']);
    const stray = await runCli(['migrate', 'now'], {});
    expect([stray.code, stray.stderr.split('\n')[0]]).toEqual([2, 'runlog migrate: unexpected argument "now"']);
    expect(stray.stderr).toContain('usage:\n  runlog migrate');
  });

  it('hook answers a bad flag with a warning naming the nearest flag, and still exits 0', async () => {
    const spool = path.join(tempDir(), 'spool.ndjson');
    const result = await runCli(['hook', '--urll', 'http://127.0.0.1:9'], { RUNLOG_SPOOL: spool });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('unknown flag --urll; did you mean --url?');
  });
});

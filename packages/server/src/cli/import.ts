import { createReadStream, existsSync, openSync, readSync, closeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { ConfigError, loadConfig } from '../config.ts';
import { DATABASE_SETTINGS } from '../settings.ts';
import { parseCommand, UsageError, usageText, type CommandSpec } from './spec.ts';
import { createAuthService } from '../domain/auth/auth.service.ts';
import { createLogger } from '../logger.ts';
import { createImporter, ImportFormatError } from '../ops/transfer/import.ts';
import { openMigrated } from '../runtime.ts';

export const IMPORT_SPEC: CommandSpec = {
  name: 'import',
  about: 'loads a `runlog export` file (plain or gzipped) into the tenant of the same name; importing twice adds nothing',
  usage: ['import <file> [--tenant <name>] [--json] [settings]   (<file> - reads standard input)'],
  flags: {
    tenant: { type: 'string', value: '<name>', about: 'import into this tenant instead of the one named in the file' },
    json: { type: 'boolean', about: 'print the counts as JSON' },
  },
  settings: DATABASE_SETTINGS,
};

function gzipped(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const magic = Buffer.alloc(2);
    return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * `runlog import FILE [--tenant t]`: writes a `runlog export` (plain or gzipped) into the tenant
 * of the same name (or --tenant) of the configured database. Importing a file twice adds nothing.
 */
export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(IMPORT_SPEC, argv, { maxPositionals: 1 });
  if (positionals.length === 0) throw new UsageError('needs the file to import', usageText(IMPORT_SPEC));
  const [file] = positionals;
  if (!file) throw new ConfigError('import', 'needs the file to read (runlog import FILE; "-" reads standard input)');
  if (file !== '-' && !existsSync(file)) throw new ConfigError('import', `no such file: ${file}`);
  const { db, release } = await openMigrated(loadConfig(values as Record<string, string>));
  try {
    const auth = createAuthService({ db, logger: createLogger('silent'), keyCacheMs: 0 });
    const importer = createImporter(db, (name) => auth.ensureTenant(name), (values.tenant as string | undefined) ?? null);
    const raw = file === '-' ? process.stdin : createReadStream(file);
    const input = file !== '-' && gzipped(file) ? raw.pipe(createGunzip()) : raw;
    let n = 0;
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) await importer.line(line, ++n);
      const result = await importer.finish();
      const added = Object.entries(result.added).filter(([, k]) => k > 0).map(([t, k]) => `${k} ${t}`).join(', ');
      console.log(values.json ? JSON.stringify(result) : `imported into tenant ${result.tenant}: ${added || 'nothing new (already imported)'}`);
      return 0;
    } catch (err) {
      if (err instanceof ImportFormatError) throw new ConfigError('import', `${file}: ${err.message}`);
      throw err;
    }
  } finally {
    await release();
  }
}

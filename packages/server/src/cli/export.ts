import { createWriteStream } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { ConfigError, loadConfig } from '../config.ts';
import { DATABASE_SETTINGS } from '../settings.ts';
import { parseCommand, type CommandSpec } from './spec.ts';
import { createAuthService } from '../domain/auth/auth.service.ts';
import { createLogger } from '../logger.ts';
import { exportLines } from '../ops/transfer/export.ts';
import { openMigrated } from '../runtime.ts';

export const EXPORT_SPEC: CommandSpec = {
  name: 'export',
  about: 'writes one tenant\'s runs, steps, activities, work units, projects, workspaces and prices as NDJSON, streamed',
  usage: ['export [--tenant <name>] [--output <file>] [--gzip] [--since <time>] [--until <time>] [--project <id>] [settings]'],
  flags: {
    tenant: { type: 'string', value: '<name>', about: 'the tenant to export', default: 'default' },
    output: { type: 'string', value: '<file>', about: 'write to this file', default: 'standard output' },
    gzip: { type: 'boolean', about: 'compress with gzip' },
    since: { type: 'string', value: '<time>', about: 'only runs started and activities at or after this ISO-8601 time' },
    until: { type: 'string', value: '<time>', about: 'only runs started and activities before this ISO-8601 time' },
    project: { type: 'string', value: '<id>', about: 'only this project\'s runs and activities' },
  },
  settings: DATABASE_SETTINGS,
  notes: ['`runlog import <file>` loads it into the tenant of the same name in another database.'],
};

function instant(flag: string, raw: string | undefined): Date | null {
  if (raw === undefined) return null;
  const at = new Date(raw);
  if (Number.isNaN(at.getTime())) throw new ConfigError(flag, `must be an ISO-8601 date or date-time, got "${raw}"`);
  return at;
}

/** Standard output as a stream end that is never closed (the process may still print after it). */
function stdoutSink(): Writable {
  return new Writable({
    write: (chunk, _encoding, done) => void process.stdout.write(chunk, done),
    final: (done) => done(),
  });
}

/**
 * `runlog export [--tenant t] [--output FILE] [--gzip] [--since T] [--until T] [--project P]`:
 * one tenant's data as NDJSON, streamed (the other half of `runlog import`).
 */
export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(EXPORT_SPEC, argv, { maxPositionals: 0 });
  const since = instant('--since', values.since as string | undefined);
  const until = instant('--until', values.until as string | undefined);
  const tenantName = (values.tenant as string | undefined) ?? 'default';
  const { db, release } = await openMigrated(loadConfig(values as Record<string, string>));
  try {
    const tenant = await createAuthService({ db, logger: createLogger('silent'), keyCacheMs: 0 }).findTenant(tenantName);
    if (!tenant) throw new ConfigError('--tenant', `no tenant named "${tenantName}"`);
    const counts: Record<string, number> = {};
    const source = Readable.from(exportLines(db, tenant.name, { tenantId: tenant.id, since, until, projectId: (values.project as string | undefined) ?? null }, (table, n) => (counts[table] = n)));
    const sink = values.output ? createWriteStream(values.output as string) : stdoutSink();
    if (values.gzip) await pipeline(source, createGzip(), sink);
    else await pipeline(source, sink);
    const summary = Object.entries(counts).map(([t, n]) => `${n} ${t}`).join(', ') || 'nothing';
    console.error(`exported tenant ${tenant.name}: ${summary}${values.output ? ` to ${values.output}` : ''}`);
    return 0;
  } finally {
    await release();
  }
}

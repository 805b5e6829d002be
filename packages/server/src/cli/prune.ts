import { ConfigError, loadConfig } from '../config.ts';
import { DATABASE_SETTINGS } from '../settings.ts';
import { parseCommand, type CommandSpec } from './spec.ts';
import { createAuthService } from '../domain/auth/auth.service.ts';
import { createRetentionService } from '../domain/retention/retention.service.ts';
import { createLogger } from '../logger.ts';
import { openMigrated } from '../runtime.ts';

export const PRUNE_SPEC: CommandSpec = {
  name: 'prune',
  about: 'deletes finished runs, their steps and activities older than their project\'s retention_days (the daily job, now)',
  usage: ['prune [--tenant <name>] [--json] [settings]'],
  flags: {
    tenant: { type: 'string', value: '<name>', about: 'only this tenant', default: 'every tenant' },
    json: { type: 'boolean', about: 'print the counts as JSON' },
  },
  settings: DATABASE_SETTINGS,
};

/**
 * `runlog prune [--tenant <name>]`: what the daily retention job does, now. Deletes finished
 * runs, their steps and activities older than each project's retention_days, in batches.
 */
export async function pruneCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(PRUNE_SPEC, argv, { maxPositionals: 0 });
  const { db, release } = await openMigrated(loadConfig(values as Record<string, string>));
  try {
    let tenantId: string | null = null;
    if (values.tenant) {
      const tenant = await createAuthService({ db, logger: createLogger('silent'), keyCacheMs: 0 }).findTenant(values.tenant as string);
      if (!tenant) throw new ConfigError('--tenant', `no tenant named "${values.tenant}"`);
      tenantId = tenant.id;
    }
    const result = await createRetentionService({ db }).prune({ tenantId });
    console.log(values.json
      ? JSON.stringify(result)
      : `pruned ${result.runs} runs, ${result.trace_steps} steps and ${result.activities} activities in ${result.projects} project(s) with a retention`);
    return 0;
  } finally {
    await release();
  }
}

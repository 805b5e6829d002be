import { ConfigError, loadConfig, parseFlags } from '../config.ts';
import { createAuthService } from '../domain/auth/auth.service.ts';
import { createRetentionService } from '../domain/retention/retention.service.ts';
import { createLogger } from '../logger.ts';
import { openMigrated } from '../runtime.ts';

export const PRUNE_FLAGS = {
  tenant: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/**
 * `runlog prune [--tenant <name>]`: what the daily retention job does, now. Deletes finished
 * runs, their steps and activities older than each project's retention_days, in batches.
 */
export async function pruneCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, PRUNE_FLAGS);
  if (positionals.length > 0) throw new ConfigError('prune', `takes no arguments, got "${positionals[0]}"`);
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

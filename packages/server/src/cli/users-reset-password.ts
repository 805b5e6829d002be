import { ConfigError, loadConfig } from '../config.ts';
import { DATABASE_SETTINGS } from '../settings.ts';
import { parseCommand, UsageError, usageText, type CommandSpec } from './spec.ts';
import { createAuthService } from '../domain/auth/auth.service.ts';
import { generatePassword } from '../domain/auth/secrets.ts';
import { createSessionsService } from '../domain/auth/sessions.service.ts';
import { createUsersService } from '../domain/users/users.service.ts';
import { createLogger } from '../logger.ts';
import { openMigrated } from '../runtime.ts';

export const USERS_RESET_PASSWORD_SPEC: CommandSpec = {
  name: 'users reset-password',
  about: 'sets a new password for a person and ends their sessions, on the database directly (an account recovery)',
  usage: ['users reset-password --tenant <name> --email <email> [--json] [settings]'],
  flags: {
    tenant: { type: 'string', value: '<name>', about: 'the tenant (required)' },
    email: { type: 'string', value: '<email>', about: 'the person (required)' },
    json: { type: 'boolean', about: 'print JSON' },
  },
  settings: DATABASE_SETTINGS,
  notes: ['The password comes from RUNLOG_USER_PASSWORD (never a flag: flags show in the process list), else it is generated and printed once.'],
};

/**
 * `runlog users reset-password --tenant <t> --email <e>`: recovers an account from the command
 * line. The password comes from RUNLOG_USER_PASSWORD or is generated and printed once; every
 * session of the user ends.
 */
export async function usersResetPasswordCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseCommand(USERS_RESET_PASSWORD_SPEC, argv.slice(1), { maxPositionals: 0 });
  const tenantName = values.tenant as string | undefined;
  const email = (values.email as string | undefined)?.trim();
  const usage = usageText(USERS_RESET_PASSWORD_SPEC);
  if (!tenantName) throw new UsageError('--tenant is required', usage, USERS_RESET_PASSWORD_SPEC.name);
  if (!email) throw new UsageError('--email is required', usage, USERS_RESET_PASSWORD_SPEC.name);
  const password = env.RUNLOG_USER_PASSWORD || generatePassword();
  if (password.length < 8) throw new ConfigError('RUNLOG_USER_PASSWORD', 'must be at least 8 characters');

  const { db, release } = await openMigrated(loadConfig(values as Record<string, string>));
  try {
    const tenant = await createAuthService({ db, logger: createLogger('silent'), keyCacheMs: 0 }).findTenant(tenantName);
    if (!tenant) throw new ConfigError('--tenant', `no tenant named "${tenantName}"`);
    const users = createUsersService({ db, sessions: createSessionsService({ db }) });
    const user = await users.resetPassword(tenant.id, email, password).catch((err) => {
      if ((err as { statusCode?: number }).statusCode === 404) throw new ConfigError('--email', `no user ${email} in tenant "${tenantName}"`);
      throw err;
    });
    const shown = env.RUNLOG_USER_PASSWORD ? undefined : password;
    console.log(values.json
      ? JSON.stringify({ tenant_id: tenant.id, user_id: user.id, email: user.email, password: shown })
      : `new password for ${user.email} in tenant ${tenant.name}${shown ? ` (shown once): ${shown}` : ' set from RUNLOG_USER_PASSWORD'}; their sessions were ended`);
    return 0;
  } finally {
    await release();
  }
}

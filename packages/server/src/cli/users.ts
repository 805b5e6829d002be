import { ConfigError, loadConfig } from '../config.ts';
import { createAuthService } from '../domain/auth/auth.service.ts';
import { ROLES, type Role } from '../domain/auth/auth.types.ts';
import { generatePassword } from '../domain/auth/secrets.ts';
import { createSessionsService } from '../domain/auth/sessions.service.ts';
import { setPasswordCost } from '../domain/auth/secrets.ts';
import { createLogger } from '../logger.ts';
import { openMigrated } from '../runtime.ts';
import { DATABASE_SETTINGS } from '../settings.ts';
import { parseCommand, UsageError, usageText, type CommandSpec } from './spec.ts';
import { commandTenant, CREATE_TENANT_FLAG } from './tenant.ts';

export const USERS_SPEC: CommandSpec = {
  name: 'users',
  about: 'creates a person who signs in to the dashboard, on the database directly',
  usage: [
    'users create --tenant <name> --email <email> [--role owner|admin|member|viewer] [--name <name>] [--create-tenant] [--json]',
    'users reset-password --tenant <name> --email <email> [--json]   (see `runlog users reset-password --help`)',
  ],
  flags: {
    tenant: { type: 'string', value: '<name>', about: 'the tenant (required)' },
    email: { type: 'string', value: '<email>', about: 'what the person signs in with (required)' },
    role: { type: 'string', value: '<role>', default: 'member', about: 'owner, admin, member or viewer' },
    name: { type: 'string', value: '<name>', about: 'the name shown in the dashboard' },
    'create-tenant': CREATE_TENANT_FLAG,
    json: { type: 'boolean', about: 'print JSON' },
  },
  settings: DATABASE_SETTINGS,
  notes: ['The password comes from RUNLOG_USER_PASSWORD (never a flag: flags show in the process list), else it is generated and printed once.'],
};

/**
 * `runlog users create`: a person who signs in to the dashboard. The password comes from
 * RUNLOG_USER_PASSWORD (never a flag: flags show in the process list) or is generated and
 * printed once.
 */
export async function usersCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv[0] === 'reset-password') return (await import('./users-reset-password.ts')).usersResetPasswordCommand(argv, env);
  const { values, positionals } = parseCommand(USERS_SPEC, argv, { maxPositionals: 1 });
  if (positionals[0] !== 'create') throw new UsageError('expects create', usageText(USERS_SPEC));
  const tenantName = values.tenant as string | undefined;
  const email = (values.email as string | undefined)?.trim();
  const role = ((values.role as string | undefined) ?? 'member') as Role;
  if (!tenantName) throw new UsageError('--tenant is required', usageText(USERS_SPEC));
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new ConfigError('--email', 'must be an email address');
  if (!ROLES.includes(role)) throw new ConfigError('--role', `must be one of ${ROLES.join(', ')}`);
  const password = env.RUNLOG_USER_PASSWORD || generatePassword();
  if (password.length < 8) throw new ConfigError('RUNLOG_USER_PASSWORD', 'must be at least 8 characters');

  const config = loadConfig(values as Record<string, string>);
  setPasswordCost(config.passwordCost);
  const { db, release } = await openMigrated(config);
  try {
    const auth = createAuthService({ db, logger: createLogger('silent'), keyCacheMs: 0 });
    const tenant = await commandTenant(db, auth, tenantName, values['create-tenant'] === true);
    const user = await createSessionsService({ db }).createUser({ tenantId: tenant.id, email, name: (values.name as string | undefined) ?? null, role, password });
    const shown = env.RUNLOG_USER_PASSWORD ? undefined : password;
    console.log(values.json
      ? JSON.stringify({ tenant_id: tenant.id, user_id: user.id, email: user.email, role: user.role, password: shown })
      : `user ${user.email} (${user.role}) in tenant ${tenant.name}${shown ? `; password (shown once): ${shown}` : ''}`);
    return 0;
  } finally {
    await release();
  }
}

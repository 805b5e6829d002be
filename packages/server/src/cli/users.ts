import { ConfigError, loadConfig, parseFlags } from '../config.ts';
import { createAuthService } from '../domain/auth/auth.service.ts';
import { ROLES, type Role } from '../domain/auth/auth.types.ts';
import { generatePassword } from '../domain/auth/secrets.ts';
import { createSessionsService } from '../domain/auth/sessions.service.ts';
import { createLogger } from '../logger.ts';
import { openMigrated } from '../runtime.ts';

const FLAGS = {
  tenant: { type: 'string' },
  email: { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/**
 * `runlog users create`: a person who signs in to the dashboard. The password comes from
 * RUNLOG_USER_PASSWORD (never a flag: flags show in the process list) or is generated and
 * printed once.
 */
export async function usersCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv[0] === 'reset-password') return (await import('./users-reset-password.ts')).usersResetPasswordCommand(argv, env);
  const { values, positionals } = parseFlags(argv, FLAGS);
  if (positionals[0] !== 'create') throw new ConfigError('users', 'expects create or reset-password');
  const tenantName = values.tenant as string | undefined;
  const email = (values.email as string | undefined)?.trim();
  const role = ((values.role as string | undefined) ?? 'member') as Role;
  if (!tenantName) throw new ConfigError('--tenant', 'is required');
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new ConfigError('--email', 'must be an email address');
  if (!ROLES.includes(role)) throw new ConfigError('--role', `must be one of ${ROLES.join(', ')}`);
  const password = env.RUNLOG_USER_PASSWORD || generatePassword();
  if (password.length < 8) throw new ConfigError('RUNLOG_USER_PASSWORD', 'must be at least 8 characters');

  const { db, release } = await openMigrated(loadConfig(values as Record<string, string>));
  try {
    const tenant = await createAuthService({ db, logger: createLogger('silent'), keyCacheMs: 0 }).ensureTenant(tenantName);
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

import { ConfigError, loadConfig } from '../config.ts';
import { createAuthService } from '../domain/auth/auth.service.ts';
import { SCOPES, type Scope } from '../domain/auth/auth.types.ts';
import { createLogger } from '../logger.ts';
import { resolveKeySecret } from '../domain/auth/key-secret.ts';
import { openMigrated } from '../runtime.ts';
import { DATABASE_SETTINGS } from '../settings.ts';
import { parseCommand, UsageError, usageText, type CommandSpec } from './spec.ts';
import { commandTenant, CREATE_TENANT_FLAG } from './tenant.ts';

export const KEYS_SPEC: CommandSpec = {
  name: 'keys',
  about: 'creates, lists and revokes API keys, on the database directly (with an embedded database, while no server runs on it)',
  usage: [
    'keys create --tenant <name> --scopes <list> [--name <name>] [--project <id>] [--create-tenant] [--json]',
    'keys list --tenant <name> [--json]',
    'keys revoke --tenant <name> <key id> [--json]',
  ],
  flags: {
    tenant: { type: 'string', value: '<name>', about: 'the tenant (required)' },
    scopes: { type: 'string', value: '<list>', about: 'comma-separated: ingest, read, admin (create)' },
    name: { type: 'string', value: '<name>', about: 'a label for the key (create; default: "cli" and the time)' },
    project: { type: 'string', value: '<id>', about: 'limit the key to one project (create)' },
    'create-tenant': CREATE_TENANT_FLAG,
    json: { type: 'boolean', about: 'print JSON' },
  },
  settings: DATABASE_SETTINGS,
};

function parseScopes(raw: string | undefined): Scope[] {
  const scopes = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = scopes.find((s) => !SCOPES.includes(s as Scope));
  if (scopes.length === 0 || bad) throw new ConfigError('--scopes', `must be a comma-separated list of ${SCOPES.join(', ')}`);
  return scopes as Scope[];
}

/** `runlog keys create|list|revoke`: works on the database directly (the server must not hold an embedded one). */
export async function keysCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(KEYS_SPEC, argv, { maxPositionals: 2 });
  const [action, keyId] = positionals;
  const tenantName = values.tenant as string | undefined;
  if (!['create', 'list', 'revoke'].includes(action ?? '')) throw new UsageError('expects create, list or revoke', usageText(KEYS_SPEC));
  if (!tenantName) throw new UsageError('--tenant is required', usageText(KEYS_SPEC));
  const scopes = action === 'create' ? parseScopes(values.scopes as string | undefined) : [];
  if (action === 'revoke' && !keyId) throw new UsageError('keys revoke needs the key id', usageText(KEYS_SPEC));
  if (action !== 'revoke' && keyId) throw new UsageError(`unexpected argument "${keyId}"`, usageText(KEYS_SPEC));

  const config = loadConfig(values as Record<string, string>);
  const { db, release } = await openMigrated(config);
  try {
    // The same key secret as the server's, or the keys it creates would not verify there.
    const auth = createAuthService({ db, logger: createLogger('silent'), keyCacheMs: 0, keySecret: resolveKeySecret(config).secret });
    if (action === 'create') {
      const tenant = await commandTenant(db, auth, tenantName, values['create-tenant'] === true);
      const { key, row } = await auth.createKey({
        tenantId: tenant.id,
        name: (values.name as string | undefined) ?? `cli ${new Date().toISOString()}`,
        scopes,
        projectId: (values.project as string | undefined) ?? null,
      });
      console.log(values.json ? JSON.stringify({ tenant_id: tenant.id, key, key_id: row.id, scopes: row.scopes }) : `key ${row.id} for tenant ${tenant.name} (${row.scopes.join(',')}):\n${key}`);
      return 0;
    }
    const tenant = await commandTenant(db, auth, tenantName, false);
    if (action === 'list') {
      const keys = await auth.listKeys(tenant.id);
      if (values.json) console.log(JSON.stringify(keys));
      else for (const k of keys) console.log(`${k.id}  ${k.prefix}…  ${k.scopes.join(',').padEnd(18)} ${k.revoked_at ? 'revoked' : 'active '}  ${k.name}`);
      return 0;
    }
    const row = await auth.revokeKey(tenant.id, keyId!);
    console.log(values.json ? JSON.stringify(row) : `revoked ${row.id}`);
    return 0;
  } finally {
    await release();
  }
}

import { ConfigError, loadConfig, parseFlags } from '../config.ts';
import { createAuthService } from '../domain/auth/auth.service.ts';
import { SCOPES, type Scope } from '../domain/auth/auth.types.ts';
import { createLogger } from '../logger.ts';
import { resolveKeySecret } from '../domain/auth/key-secret.ts';
import { openMigrated } from '../runtime.ts';

const FLAGS = {
  tenant: { type: 'string' },
  scopes: { type: 'string' },
  name: { type: 'string' },
  project: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function parseScopes(raw: string | undefined): Scope[] {
  const scopes = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = scopes.find((s) => !SCOPES.includes(s as Scope));
  if (scopes.length === 0 || bad) throw new ConfigError('--scopes', `must be a comma-separated list of ${SCOPES.join(', ')}`);
  return scopes as Scope[];
}

/** `runlog keys create|list|revoke`: works on the database directly (the server must not hold an embedded one). */
export async function keysCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS);
  const [action, keyId] = positionals;
  const tenantName = values.tenant as string | undefined;
  if (!['create', 'list', 'revoke'].includes(action ?? '')) throw new ConfigError('keys', 'expects create, list or revoke');
  if (!tenantName) throw new ConfigError('--tenant', 'is required');
  const scopes = action === 'create' ? parseScopes(values.scopes as string | undefined) : [];
  if (action === 'revoke' && !keyId) throw new ConfigError('keys revoke', 'needs the key id');

  const config = loadConfig(values as Record<string, string>);
  const { db, release } = await openMigrated(config);
  try {
    // The same key secret as the server's, or the keys it creates would not verify there.
    const auth = createAuthService({ db, logger: createLogger('silent'), keyCacheMs: 0, keySecret: resolveKeySecret(config).secret });
    if (action === 'create') {
      const tenant = await auth.ensureTenant(tenantName);
      const { key, row } = await auth.createKey({
        tenantId: tenant.id,
        name: (values.name as string | undefined) ?? `cli ${new Date().toISOString()}`,
        scopes,
        projectId: (values.project as string | undefined) ?? null,
      });
      console.log(values.json ? JSON.stringify({ tenant_id: tenant.id, key, key_id: row.id, scopes: row.scopes }) : `key ${row.id} for tenant ${tenant.name} (${row.scopes.join(',')}):\n${key}`);
      return 0;
    }
    const tenant = await auth.findTenant(tenantName);
    if (!tenant) throw new ConfigError('--tenant', `no tenant named "${tenantName}"`);
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

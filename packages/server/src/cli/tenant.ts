import { ConfigError } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { AuthService } from '../domain/auth/auth.service.ts';
import type { TenantRow } from '../domain/auth/auth.types.ts';
import { nearest } from './spec.ts';
import { tenantNames } from './tenant.repository.ts';

/** The flag `keys create` and `users create` take to create a tenant that does not exist yet. */
export const CREATE_TENANT_FLAG = { type: 'boolean', about: 'create the tenant when it does not exist (otherwise an unknown --tenant is refused)' } as const;

/**
 * The tenant a command names. A mistyped name must not silently create a second tenant, so
 * an unknown one is refused (naming the nearest existing one) unless `create` is set.
 */
export async function commandTenant(db: Database, auth: AuthService, name: string, create: boolean): Promise<TenantRow> {
  const found = await auth.findTenant(name);
  if (found) return found;
  if (create) return auth.ensureTenant(name);
  const near = nearest(name, await tenantNames(db));
  throw new ConfigError('--tenant', `no tenant named "${name}"${near ? `; did you mean "${near}"?` : ''} (add --create-tenant to create it)`);
}

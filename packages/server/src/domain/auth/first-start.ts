import type { Database } from '../../db/database.ts';
import { findKeysByPrefix } from './auth.repository.ts';
import { forgetFirstStart, pendingFirstStarts } from './first-start.repository.ts';
import { createKeyHasher, keyPrefix, verifyPassword } from './secrets.ts';

/** What a start prints so the owner can get in: shown until the owner first signs in. */
export interface FirstStartCredentials {
  tenantName: string;
  email: string;
  /** Null once it no longer works (changed from the command line). */
  password: string | null;
  /** Null when RUNLOG_INIT_API_KEY chose the key, or once it was revoked. */
  key: string | null;
}

/**
 * The credentials of a first start whose owner has not signed in yet, as far as they still
 * work (a password reset or a revoked key is not shown again); null when there are none.
 */
export async function pendingFirstStart(db: Database, keySecret: string | null): Promise<FirstStartCredentials | null> {
  const hasher = createKeyHasher(keySecret);
  for (const row of await pendingFirstStarts(db)) {
    const passwordWorks = row.password_hash !== null && (await verifyPassword(row.password, row.password_hash));
    const keyWorks = row.api_key !== null
      && (await findKeysByPrefix(db, keyPrefix(row.api_key))).some((k) => hasher.matches(k.key_hash, row.api_key!));
    if (!passwordWorks && !keyWorks) {
      await forgetFirstStart(db, row.tenant_id, row.user_id);
      continue;
    }
    return { tenantName: row.tenant_name, email: row.email, password: passwordWorks ? row.password : null, key: keyWorks ? row.api_key : null };
  }
  return null;
}

import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const KEY_SECRET_FILE = 'key-secret';

export interface KeySecret {
  secret: string | null;
  /** Where it came from: the environment, the embedded data directory, or nowhere (plain SHA-256). */
  source: 'env' | 'file' | 'none';
}

/**
 * The server secret API key hashes are keyed with; it never goes into the database.
 * RUNLOG_KEY_SECRET wins. The embedded database keeps one beside its data (created on first
 * use, readable by its owner only). A PostgreSQL deployment has no shared directory, so
 * without RUNLOG_KEY_SECRET (the same on every node) keys stay plain SHA-256 and start warns.
 */
export function resolveKeySecret(config: { keySecret: string | null; databaseUrl: string | null; dataDir: string }): KeySecret {
  if (config.keySecret) return { secret: config.keySecret, source: 'env' };
  if (config.databaseUrl) return { secret: null, source: 'none' };
  const file = path.join(config.dataDir, KEY_SECRET_FILE);
  try {
    return { secret: readFileSync(file, 'utf8').trim(), source: 'file' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('base64url');
  // wx: two processes racing create it once; the loser reads the winner's.
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return { secret, source: 'file' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { secret: readFileSync(file, 'utf8').trim(), source: 'file' };
  }
}

export const KEY_SECRET_GUIDANCE =
  'RUNLOG_KEY_SECRET is not set: API keys are stored as plain SHA-256. Set it to the same random value on every node ' +
  '(e.g. `openssl rand -base64 32`); existing keys keep working and are rehashed at their next use.';

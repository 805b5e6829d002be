import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** Characters of a key stored in clear to find it again; the rest is only ever hashed. */
export const KEY_PREFIX_LENGTH = 12;

/** `rlk_` + 40 base62-ish characters (240 bits). */
export function generateApiKey(): string {
  return `rlk_${randomBytes(30).toString('base64url')}`;
}

export function keyPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX_LENGTH);
}

/** Session tokens and (without a server secret) API keys: long random secrets, so a fast hash is enough. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const HMAC_SCHEME = 'hmac-sha256$';

/**
 * API key hashes. With a server secret kept outside the database (RUNLOG_KEY_SECRET, or the
 * embedded data directory's key-secret file), keys are stored as HMAC-SHA256, so a leaked
 * table alone cannot be checked offline. Rows from before (plain SHA-256 hex) still verify,
 * and `isCurrent` tells the caller to upgrade them.
 */
export function createKeyHasher(secret: string | null) {
  const hmac = (key: string) => createHmac('sha256', secret!).update(key).digest('hex');
  return {
    keyed: secret !== null,
    hash: (key: string): string => (secret === null ? hashApiKey(key) : `${HMAC_SCHEME}${hmac(key)}`),
    matches(stored: string, key: string): boolean {
      if (!stored.startsWith(HMAC_SCHEME)) return sameHash(stored, hashApiKey(key));
      return secret !== null && sameHash(stored.slice(HMAC_SCHEME.length), hmac(key));
    },
    /** False for a row that should be rewritten with `hash` (plain SHA-256 while a secret is set). */
    isCurrent: (stored: string): boolean => secret === null || stored.startsWith(HMAC_SCHEME),
  };
}

export type KeyHasher = ReturnType<typeof createKeyHasher>;

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** Current guidance for scrypt (OWASP Password Storage Cheat Sheet): N=2^17, r=8, p=1, 128 MiB a hash. */
export const PASSWORD_PARAMS: ScryptParams = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });
/** The cost in force (RUNLOG_PASSWORD_COST, read once at start): N = 2^cost. */
let current: ScryptParams = PASSWORD_PARAMS;

/** Sets N = 2^cost for new hashes; hashes of another cost are rehashed at their next sign-in. */
export function setPasswordCost(cost: number): void {
  current = Object.freeze({ ...PASSWORD_PARAMS, N: 2 ** cost });
}

/** What `scrypt$salt$hash` (no parameters stored) was made with: Node's defaults. */
const LEGACY_PARAMS: ScryptParams = Object.freeze({ N: 16_384, r: 8, p: 1 });
/** Stored parameters are read back, so they are bounded: a bad row must not exhaust memory. */
const MAX_N = 2 ** 20;
/** Hashes at once; each takes ~128 MiB and a core, and the machine may have two. */
const MAX_CONCURRENT = 2;

const scryptAsync = (password: string, salt: Buffer, keylen: number, { N, r, p }: ScryptParams) =>
  new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, keylen, { N, r, p, maxmem: 256 * N * r * p }, (err, key) => (err ? reject(err) : resolve(key)));
  });

let running = 0;
const waiting: (() => void)[] = [];

/** At most MAX_CONCURRENT hashes run; the rest queue (memory stays bounded under a burst of sign-ins). */
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

interface StoredPassword {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

/** `scrypt$N$r$p$salt$hash`, or the older `scrypt$salt$hash`; null when it is neither. */
function parseStored(stored: string): StoredPassword | null {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt') return null;
  if (parts.length === 3) return { params: LEGACY_PARAMS, salt: Buffer.from(parts[1]!, 'base64url'), hash: Buffer.from(parts[2]!, 'base64url') };
  if (parts.length !== 6) return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const valid = [N, r, p].every((n) => Number.isInteger(n) && n > 0) && N <= MAX_N && (N & (N - 1)) === 0 && r * p < 2 ** 30;
  if (!valid) return null;
  return { params: { N, r, p }, salt: Buffer.from(parts[4]!, 'base64url'), hash: Buffer.from(parts[5]!, 'base64url') };
}

/** Passwords are chosen by people: scrypt, salted, its parameters stored with it (`scrypt$N$r$p$salt$hash`). */
export async function hashPassword(password: string, params: ScryptParams = current): Promise<string> {
  const salt = randomBytes(16);
  const hash = await limited(() => scryptAsync(password, salt, 32, params));
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed || parsed.hash.length === 0) return false;
  const actual = await limited(() => scryptAsync(password, parsed.salt, parsed.hash.length, parsed.params));
  return timingSafeEqual(actual, parsed.hash);
}

/** True when a hash was made with other (older, cheaper) parameters than today's: rehash it at the next sign-in. */
export function needsRehash(stored: string): boolean {
  const parsed = parseStored(stored);
  return !parsed || parsed.params.N !== current.N || parsed.params.r !== current.r || parsed.params.p !== current.p;
}

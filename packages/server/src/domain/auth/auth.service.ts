import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../../db/database.ts';
import type { Logger } from '../../logger.ts';
import { NotFoundError, UnauthorizedError } from '../../errors.ts';
import * as repo from './auth.repository.ts';
import { reliesOn, type ApiKeyRow, type AuthContext, type RevokedCredentials, type Scope } from './auth.types.ts';
import type { EventBus } from '../../realtime/event-bus.ts';
import { createKeyHasher, generateApiKey, generatePassword, hashApiKey, hashPassword, keyPrefix, type KeyHasher } from './secrets.ts';
import { rememberFirstStart } from './first-start.repository.ts';

export interface AuthServiceDeps {
  db: Database;
  logger: Logger;
  /** How long a verified key is trusted without a lookup; revocation on this node is immediate. */
  keyCacheMs: number;
  /** HMAC secret for API key hashes (RUNLOG_KEY_SECRET or the data directory's file); null: plain SHA-256. */
  keySecret?: string | null;
  /** Where a revocation is announced (the WebSocket hub, and through it the other nodes). */
  bus?: Pick<EventBus, 'publish'>;
}

export interface NewKeyInput {
  tenantId: string;
  name: string;
  scopes: Scope[];
  projectId?: string | null;
  createdBy?: string | null;
  /** Use this exact secret (RUNLOG_INIT_API_KEY) instead of generating one. */
  secret?: string;
}

const CACHE_LIMIT = 10_000;
/** last_used_at is written at most this often per key, off the request path. */
const TOUCH_INTERVAL_MS = 60_000;

/** Stores a key (generated unless `secret` is given) in `q`; the secret is returned, only its hash kept. */
async function insertKey(q: Queryable, hasher: KeyHasher, input: NewKeyInput): Promise<{ key: string; row: ApiKeyRow }> {
  const key = input.secret ?? generateApiKey();
  const row = await repo.insertApiKey(q, {
    tenantId: input.tenantId,
    id: randomUUID(),
    name: input.name,
    prefix: keyPrefix(key),
    hash: hasher.hash(key),
    scopes: [...new Set(input.scopes)],
    projectId: input.projectId ?? null,
    createdBy: input.createdBy ?? null,
  });
  return { key, row };
}

const FIRST_START_KEY = 'admin (created at first start)';

export function createAuthService({ db, logger, keyCacheMs, keySecret = null, bus }: AuthServiceDeps) {
  const hasher = createKeyHasher(keySecret);
  const cache = new Map<string, { auth: AuthContext; until: number }>();
  const touched = new Map<string, number>();

  function remember(hash: string, auth: AuthContext) {
    if (keyCacheMs <= 0) return;
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(hash, { auth, until: Date.now() + keyCacheMs });
  }

  function touch(auth: AuthContext) {
    const now = Date.now();
    if ((touched.get(auth.keyId) ?? 0) + TOUCH_INTERVAL_MS > now) return;
    touched.set(auth.keyId, now);
    repo.touchApiKey(db, auth.tenantId, auth.keyId).catch((err) => logger.warn({ err }, 'could not record key use'));
  }

  /** Lookups under way, by key hash: the clients of one key that miss the cache together share one. */
  const lookups = new Map<string, Promise<AuthContext>>();

  function verify(secret: string): Promise<AuthContext> {
    // The cache lives in memory only, so its key need not be keyed.
    const hash = hashApiKey(secret);
    const hit = cache.get(hash);
    if (hit && hit.until > Date.now()) return Promise.resolve(hit.auth);
    let lookup = lookups.get(hash);
    if (!lookup) {
      lookup = lookUp(secret, hash).finally(() => lookups.delete(hash));
      lookups.set(hash, lookup);
    }
    return lookup;
  }

  async function lookUp(secret: string, hash: string): Promise<AuthContext> {
    const candidates = await repo.findKeysByPrefix(db, keyPrefix(secret));
    const row = candidates.find((candidate) => hasher.matches(candidate.key_hash, secret));
    if (!row) throw new UnauthorizedError('the API key is unknown or revoked');
    if (!hasher.isCurrent(row.key_hash)) {
      await repo.updateKeyHash(db, row.tenant_id, row.id, row.key_hash, hasher.hash(secret))
        .catch((err) => logger.warn({ err }, 'could not upgrade an API key hash; it is tried again at its next use'));
    }
    const auth: AuthContext = {
      tenantId: row.tenant_id,
      keyId: row.id,
      scopes: row.scopes,
      userId: row.created_by,
      projectId: row.project_id,
    };
    remember(hash, auth);
    return auth;
  }

  /** Drops verified keys of this node's cache that rely on revoked credentials. */
  function forget(tenantId: string, revoked: RevokedCredentials) {
    for (const [hash, entry] of cache) if (entry.auth.tenantId === tenantId && reliesOn(entry.auth, revoked)) cache.delete(hash);
  }

  /**
   * Credentials of a key, a session or a user are no longer valid: forgotten here at once, and
   * announced so every node closes the sockets that relied on them and forgets them too.
   * Call it after the change committed (key revoke, sign-out, membership removal, a user
   * deactivated or deleted).
   */
  function credentialsRevoked(tenantId: string, revoked: RevokedCredentials) {
    forget(tenantId, revoked);
    bus?.publish([{ tenantId, type: 'credentials_revoked', seq: 0, data: revoked }]);
  }

  return {
    forget,
    credentialsRevoked,

    /** `Authorization: Bearer <key>` → who is calling, or 401. */
    async authenticate(header: string | undefined): Promise<AuthContext> {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
      if (!match) throw new UnauthorizedError();
      const auth = await verify(match[1]!);
      touch(auth);
      return auth;
    },

    createKey: (input: NewKeyInput) => insertKey(db, hasher, input),

    listKeys: (tenantId: string) => repo.listApiKeys(db, tenantId),

    async revokeKey(tenantId: string, id: string): Promise<ApiKeyRow> {
      const row = await repo.revokeApiKey(db, tenantId, id);
      if (!row) throw new NotFoundError('api_key', id);
      credentialsRevoked(tenantId, { keyId: id });
      return row;
    },

    /** Finds or creates a tenant by name (CLI `keys create --tenant`). */
    async ensureTenant(name: string) {
      return (await repo.findTenantByName(db, name)) ?? repo.upsertTenant(db, randomUUID(), name);
    },

    findTenant: (name: string) => repo.findTenantByName(db, name),

    /**
     * On an empty database: the default tenant, its owner (with a password for the dashboard)
     * and an admin key. Returns what must be shown once, or null when there is nothing to show.
     * RUNLOG_INIT_API_KEY always ends up as an admin key of the default tenant, even when the
     * database already had tenants (e.g. created by `runlog keys create` before the first start).
     */
    async bootstrap(initApiKey: string | null) {
      return db.transaction(async (tx) => {
        if ((await repo.countTenants(tx)) > 0) {
          if (initApiKey && (await repo.findKeysByPrefix(tx, keyPrefix(initApiKey))).every((k) => !hasher.matches(k.key_hash, initApiKey))) {
            const tenant = (await repo.findTenantByName(tx, 'default')) ?? (await repo.upsertTenant(tx, randomUUID(), 'default'));
            const owner = await repo.findOwner(tx, tenant.id);
            await insertKey(tx, hasher, { tenantId: tenant.id, name: FIRST_START_KEY, scopes: ['admin'], secret: initApiKey, createdBy: owner?.id ?? null });
          }
          return null;
        }
        const tenant = await repo.upsertTenant(tx, randomUUID(), 'default');
        const password = generatePassword();
        const owner = await repo.insertUser(tx, {
          tenantId: tenant.id,
          id: randomUUID(),
          email: 'owner@localhost',
          name: 'Owner',
          role: 'owner',
          passwordHash: await hashPassword(password),
        });
        const { key, row: keyRow } = await insertKey(tx, hasher, {
          tenantId: tenant.id, name: FIRST_START_KEY, scopes: ['admin'], secret: initApiKey ?? undefined, createdBy: owner.id,
        });
        // Kept until the owner signs in: a start that fails before printing them shows them next time.
        await rememberFirstStart(tx, { tenantId: tenant.id, userId: owner.id, password, apiKey: initApiKey === null ? key : null });
        return { tenant, owner, password, key, keyRow, keyFromEnv: initApiKey !== null };
      });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { ConflictError, UnauthorizedError, ValidationError } from '../../errors.ts';
import { isDatabaseError } from '../../db/database.ts';
import * as repo from './sessions.repository.ts';
import { forgetFirstStart } from './first-start.repository.ts';
import { insertUser } from './auth.repository.ts';
import type { AuthContext, RevokedCredentials, Role, Scope } from './auth.types.ts';
import { hashApiKey, hashPassword, needsRehash, verifyPassword } from './secrets.ts';

export const SESSION_COOKIE = 'runlog_session';
export const SESSION_TTL_MS = 7 * 24 * 3_600_000;

/** What a signed-in user may do, by role: owners and admins administer, members write, viewers read. */
export const ROLE_SCOPES: Record<Role, Scope[]> = {
  owner: ['admin'],
  admin: ['admin'],
  member: ['ingest', 'read'],
  viewer: ['read'],
};

/** Keeps password guessing slow: every failed sign-in costs a full scrypt, found user or not. */
let dummyHash: Promise<string> | null = null;
/** Made at the first sign-in of an unknown email, not at import: every CLI command imports this file. */
const DUMMY_HASH = () => (dummyHash ??= hashPassword('not-a-password'));

/** A session's name in AuthContext.keyId (and so in tickets): derived from its token's hash, never the token. */
const sessionKeyId = (tokenHash: string) => `session:${tokenHash.slice(0, 32)}`;

export function createSessionsService({ db, revoke }: { db: Database; revoke?: (tenantId: string, revoked: RevokedCredentials) => void }) {
  return {
    async login(email: string, password: string, tenantName?: string) {
      const candidates = (await repo.findLoginCandidates(db, email)).filter((c) => !tenantName || c.tenant_name === tenantName);
      if (candidates.length > 1) {
        throw new ValidationError('tenant', 'is required: this email belongs to several tenants', { tenants: candidates.map((c) => c.tenant_name) });
      }
      const user = candidates[0];
      const ok = await verifyPassword(password, user?.password_hash ?? (await DUMMY_HASH()));
      if (!user || !user.password_hash || !ok) throw new UnauthorizedError('email or password is wrong');
      // Hashes made with older parameters are upgraded while the password is at hand.
      if (needsRehash(user.password_hash)) await repo.updatePasswordHash(db, user.tenant_id, user.id, await hashPassword(password));
      const token = `rls_${randomBytes(32).toString('base64url')}`;
      const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
      await repo.insertSession(db, { tenantId: user.tenant_id, tokenHash: hashApiKey(token), userId: user.id, expiresAt });
      // Signed in: the credentials printed at first start are not shown again.
      await forgetFirstStart(db, user.tenant_id, user.id);
      return { token, expiresAt, user: { id: user.id, email: user.email, name: user.name, role: user.role }, tenantId: user.tenant_id };
    },

    /** The caller behind a session cookie, or null when it is unknown or expired. */
    async authenticate(token: string): Promise<AuthContext | null> {
      const hash = hashApiKey(token);
      const session = await repo.findSession(db, hash);
      if (!session) return null;
      return { tenantId: session.tenant_id, keyId: sessionKeyId(hash), scopes: ROLE_SCOPES[session.role], userId: session.user_id, projectId: null };
    },

    /** Ends the session; its sockets are closed (on every node). */
    async logout(token: string): Promise<void> {
      const hash = hashApiKey(token);
      const ended = await repo.deleteSession(db, hash);
      if (ended) revoke?.(ended.tenant_id, { keyId: sessionKeyId(hash) });
    },

    /** `runlog users create` and tests: a user who can sign in. */
    async createUser(u: { tenantId: string; email: string; name?: string | null; role: Role; password: string }) {
      if (u.password.length < 8) throw new ValidationError('password', 'must be at least 8 characters');
      try {
        return await insertUser(db, { tenantId: u.tenantId, id: randomUUID(), email: u.email, name: u.name ?? null, role: u.role, passwordHash: await hashPassword(u.password) });
      } catch (err) {
        if (isDatabaseError(err, '23505')) throw new ConflictError('user_exists', `a user with email ${u.email} exists in this tenant`);
        throw err;
      }
    },
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;

/** The session token from a raw Cookie header, for callers outside a Fastify request; bad encoding is kept as sent. */
export function sessionToken(cookieHeader: string | undefined): string | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== SESSION_COOKIE || value.length === 0) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return value.join('=');
    }
  }
  return null;
}

/** Whether a URL (an Origin or Referer header) names this host. */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

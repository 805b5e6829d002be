import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuthService } from '../src/domain/auth/auth.service.ts';
import { resolveKeySecret } from '../src/domain/auth/key-secret.ts';
import { createLogger } from '../src/logger.ts';
import { BACKENDS, call, createTenant } from './helpers.ts';
import { useAppWith } from './hardening-helpers.ts';

const SECRET = 'a-server-secret-of-the-test-0123456789';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe.each(BACKENDS)('API key hashes on %s', (backend) => {
  const ctx = useAppWith(backend, { keySecret: SECRET, keyCacheMs: 0 });
  const storedHash = async (keyId: string) =>
    (await ctx.db.query<{ key_hash: string }>(`SELECT key_hash FROM api_keys WHERE id = $1`, [keyId])).rows[0]!.key_hash;

  it('stores a keyed hash (HMAC with the server secret): the table alone does not check a key offline', async () => {
    const t = await createTenant(ctx);
    const created = await call(ctx, t.keys.admin, 'POST', '/api-keys', { name: 'ci', scopes: ['read'] });
    expect(created.status).toBe(201);
    const hash = await storedHash(created.body.api_key.id);
    expect(hash).toMatch(/^hmac-sha256\$[0-9a-f]{64}$/);
    expect(hash).not.toContain(sha256(created.body.key));
    expect((await call(ctx, created.body.key, 'GET', '/runs')).status).toBe(200);
    // Without the secret (a copy of the database elsewhere), the stored hash verifies nothing.
    const elsewhere = createAuthService({ db: ctx.db, logger: createLogger('silent'), keyCacheMs: 0 });
    await expect(elsewhere.authenticate(`Bearer ${created.body.key}`)).rejects.toMatchObject({ statusCode: 401 });
  });

  it('a key stored as plain SHA-256 by an earlier version still works, and is rehashed with the secret at its first use', async () => {
    const t = await createTenant(ctx);
    const before = createAuthService({ db: ctx.db, logger: createLogger('silent'), keyCacheMs: 0 });
    const { key, row } = await before.createKey({ tenantId: t.tenantId, name: 'old', scopes: ['read'] });
    expect(await storedHash(row.id)).toBe(sha256(key));

    expect((await call(ctx, key, 'GET', '/runs')).status).toBe(200);
    const upgraded = await storedHash(row.id);
    expect(upgraded).toMatch(/^hmac-sha256\$[0-9a-f]{64}$/);
    expect((await call(ctx, key, 'GET', '/runs')).status).toBe(200);
    expect(await storedHash(row.id)).toBe(upgraded);
    expect((await call(ctx, `${key}x`, 'GET', '/runs')).status).toBe(401);
  });
});

describe('where the key secret comes from', () => {
  it('RUNLOG_KEY_SECRET wins; the embedded database keeps one in its data directory (owner-only); PostgreSQL without it has none', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'runlog-key-secret-'));
    try {
      const first = resolveKeySecret({ keySecret: null, databaseUrl: null, dataDir });
      expect(first.source).toBe('file');
      expect(first.secret).toMatch(/^[\w-]{43}$/);
      expect(statSync(path.join(dataDir, 'key-secret')).mode & 0o777).toBe(0o600);
      expect(resolveKeySecret({ keySecret: null, databaseUrl: null, dataDir }).secret).toBe(first.secret);
      expect(resolveKeySecret({ keySecret: SECRET, databaseUrl: null, dataDir })).toEqual({ secret: SECRET, source: 'env' });
      expect(resolveKeySecret({ keySecret: null, databaseUrl: 'postgres://x/y', dataDir })).toEqual({ secret: null, source: 'none' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import { describe, expect, it } from 'vitest';
import { pendingFirstStart } from '../src/domain/auth/first-start.ts';
import { BACKENDS, call, useApp } from './helpers.ts';

/**
 * What a start prints for the owner to get in is kept until the owner signs in: a first start
 * that failed after creating it (before printing) shows it at the next start.
 */
describe.each(BACKENDS)('first-start credentials on %s', (backend) => {
  const ctx = useApp(backend);

  it('are shown again until the owner signs in; a revoked key is no longer shown', async () => {
    const first = await ctx.services.auth.bootstrap(null);
    expect(first).not.toBeNull();
    // The next start: nothing is created, the same credentials are found.
    expect(await ctx.services.auth.bootstrap(null)).toBeNull();
    expect(await pendingFirstStart(ctx.db, null)).toEqual({ tenantName: 'default', email: 'owner@localhost', password: first!.password, key: first!.key });

    await ctx.services.auth.revokeKey(first!.tenant.id, first!.keyRow.id);
    expect(await pendingFirstStart(ctx.db, null)).toEqual({ tenantName: 'default', email: 'owner@localhost', password: first!.password, key: null });

    const wrong = await call(ctx, null, 'POST', '/auth/login', { email: 'owner@localhost', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect((await pendingFirstStart(ctx.db, null))?.password, 'a failed sign-in changes nothing').toBe(first!.password);

    const login = await call(ctx, null, 'POST', '/auth/login', { email: 'owner@localhost', password: first!.password });
    expect(login.status).toBe(200);
    expect(await pendingFirstStart(ctx.db, null)).toBeNull();
  });
});

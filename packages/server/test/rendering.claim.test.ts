import { describe, expect, it } from 'vitest';
import { lockDue, markProcessing, storeOutcomes } from '../src/domain/rendering/rendering.repository.ts';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';

/**
 * The render pass without a lock (PGlite, where a transaction would hold up every write): an
 * outcome is stored only if its row is still due at the attempt the pass read.
 */
describe.each(BACKENDS)('render claims read without a lock on %s', (backend) => {
  // No render loop here: the test plays two workers by hand.
  const ctx = useApp(backend, { rendering: { workers: 0 } });

  it('stores an outcome only for a row still due at the attempt read; a row claimed meanwhile is left alone', async () => {
    const tenant = await createTenant(ctx);
    for (const id of ['claim-a', 'claim-b']) {
      expect((await call(ctx, tenant.keys.ingest, 'POST', '/activities', { id, action_name: 'Tool', data: { n: 1 } })).status).toBe(201);
    }
    const read = (await lockDue(ctx.db, 100, { lock: false })).filter((r) => r.tenant_id === tenant.tenantId);
    expect(read.map((r) => [r.id, r.processing_attempts]).sort()).toEqual([['claim-a', 0], ['claim-b', 0]]);

    // Another worker claims claim-b for the LLM after this pass read it.
    const other = await markProcessing(ctx.db, read.filter((r) => r.id === 'claim-b'), 60_000, { guard: true });
    expect(other.map((r) => [r.id, r.processing_attempts])).toEqual([['claim-b', 1]]);
    // Claiming it again from the same stale read finds it taken.
    expect(await markProcessing(ctx.db, read.filter((r) => r.id === 'claim-b'), 60_000, { guard: true })).toEqual([]);

    const render = { version: 1, strategy: 'key_value', title: 'n', fields: [], analyzer: 'builtin', fingerprint: 'f' };
    const stored = await storeOutcomes(ctx.db, 'builtin:v1', read.map((r) => ({
      tenant_id: r.tenant_id, id: r.id, attempts: r.processing_attempts + 1, status: 'COMPLETED' as const, render: render as never, cached: false, error: null, delay_ms: null,
    })), 'read');
    expect(stored.map((r) => [r.id, r.processing_status, r.processing_attempts])).toEqual([['claim-a', 'COMPLETED', 1]]);
    const b = await call(ctx, tenant.keys.read, 'GET', '/activities/claim-b/processing');
    expect(b.body).toMatchObject({ processing_status: 'PROCESSING', processing_attempts: 1 });
  });
});

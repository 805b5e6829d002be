import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.ts';
import { createKnownRenders } from '../src/domain/rendering/known-renders.ts';
import { fingerprintOf } from '../src/domain/rendering/fingerprint.ts';
import { cacheRenders } from '../src/domain/rendering/rendering.repository.ts';
import { exportPage } from '../src/ops/transfer/transfer.repository.ts';
import { analyzerKeyOf, DEFAULT_RENDERING, loadRenderingSettings } from '../src/domain/rendering/rendering.settings.ts';
import type { SchemaRender } from '../src/domain/rendering/rendering.types.ts';
import { createLogger } from '../src/logger.ts';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';
import { LiveClient, useLiveApp } from './realtime-helpers.ts';
import { eventually, renderOf, settled } from './rendering-helpers.ts';

/** A shape, and another payload of the same shape (other values, other lengths). */
const FILES = { files: [{ path: 'a.ts', lines: 1 }] };
const MORE_FILES = { files: [{ path: 'b.ts', lines: 9 }, { path: 'c.ts', lines: 2 }] };

const atWriteCount = (metrics: string) =>
  Number(/runlog_renders_total\{analyzer="builtin",strategy="table",outcome="at_write"\} (\d+)/.exec(metrics)?.[1] ?? 0);

describe.each(BACKENDS)('renders stored by the write itself on %s', (backend) => {
  const ctx = useLiveApp(backend);

  it('a shape the tenant has had rendered is stored COMPLETED by its write (REST and /ingest): no job, no activity_rendered', async () => {
    const t = await createTenant(ctx);
    const first = await renderOf(ctx, t.keys.both, FILES);
    expect(first.processing_status).toBe('COMPLETED');
    const countBefore = atWriteCount((await call(ctx, null, 'GET', '/metrics')).text);

    const client = await LiveClient.open(ctx, { key: t.keys.read });
    await client.subscribe(['activity']);
    const rest = await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'Tool', data: MORE_FILES });
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({ processing_status: 'COMPLETED', processing_attempts: 1, processing_error: null, processed_at: expect.any(String) });
    expect(rest.body.schema_render).toEqual(first.schema_render);
    const batch = await call(ctx, t.keys.both, 'POST', '/ingest', {
      items: [{ type: 'activity.create', id: 'known-1', body: { action_name: 'Tool', data: MORE_FILES } }],
    });
    expect(batch.status).toBe(200);
    const stored = await call(ctx, t.keys.read, 'GET', '/activities/known-1');
    expect(stored.body).toMatchObject({ processing_status: 'COMPLETED', processing_attempts: 1, schema_render: first.schema_render });
    expect((await call(ctx, t.keys.read, 'GET', '/activities/known-1/render')).body).toEqual(first.schema_render);

    await client.settle();
    // The socket learns the render with the activity itself.
    expect(client.of('activity_created').map((e) => [e.data.id, e.data.processing_status, e.data.schema_render])).toEqual([
      [rest.body.id, 'COMPLETED', first.schema_render],
      ['known-1', 'COMPLETED', first.schema_render],
    ]);
    expect(client.of('activity_rendered')).toEqual([]);
    await client.close();
    expect(atWriteCount((await call(ctx, null, 'GET', '/metrics')).text)).toBe(countBefore + 2);

    // Stored by reference to the shape's cached render, not as a copy (migration 0019).
    const { rows } = await ctx.db.query<{ id: string; schema_render: unknown; render_fingerprint: string | null }>(
      `SELECT id, schema_render, render_fingerprint FROM activities WHERE tenant_id = $1 ORDER BY seq`, [t.tenantId]);
    expect(rows.map((r) => [r.schema_render, r.render_fingerprint])).toEqual(Array(3).fill([null, first.schema_render.fingerprint]));
    // Every way out resolves it: the feed, catch-up, the processing route and the export.
    const feed = await call(ctx, t.keys.read, 'GET', '/activities?after_seq=0');
    expect(feed.body.activities.map((a: { schema_render: unknown }) => a.schema_render)).toEqual(Array(3).fill(first.schema_render));
    const processing = await call(ctx, t.keys.read, 'GET', '/activities/known-1/processing');
    expect(processing.body).toMatchObject({ processing_status: 'COMPLETED', processing_attempts: 1 });
    const exported = await exportPage(ctx.db, 'activities', { tenantId: t.tenantId, since: null, until: null, projectId: null }, null);
    expect(exported.map((r) => JSON.parse(r.row))).toEqual(Array(3).fill(expect.objectContaining({ schema_render: first.schema_render })));
    expect(JSON.parse(exported[0]!.row)).not.toHaveProperty('render_fingerprint');
  });

  it('a render is only reused by its own tenant, and a new shape still waits for the worker', async () => {
    const a = await createTenant(ctx);
    const b = await createTenant(ctx);
    await renderOf(ctx, a.keys.both, FILES);
    const other = await call(ctx, b.keys.both, 'POST', '/activities', { action_name: 'Tool', data: MORE_FILES });
    expect(other.body).toMatchObject({ processing_status: 'PENDING', schema_render: null, processing_attempts: 0 });
    const fresh = await call(ctx, a.keys.both, 'POST', '/activities', { action_name: 'Tool', data: { tags: ['x', 'y'] } });
    expect(fresh.body).toMatchObject({ processing_status: 'PENDING', schema_render: null });
    expect((await settled(ctx, b.keys.read, other.body.id)).processing_status).toBe('COMPLETED');
    expect((await settled(ctx, a.keys.read, fresh.body.id)).schema_render).toMatchObject({ strategy: 'list' });
  });

  it('a forced retry of an activity rendered at write analyses it again through the worker', async () => {
    const t = await createTenant(ctx);
    await renderOf(ctx, t.keys.both, FILES);
    const known = await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'Tool', data: MORE_FILES });
    expect(known.body.processing_status).toBe('COMPLETED');
    expect((await call(ctx, t.keys.ingest, 'POST', `/activities/${known.body.id}/retry`)).status).toBe(409);
    const forced = await call(ctx, t.keys.ingest, 'POST', `/activities/${known.body.id}/retry?force=true`);
    expect(forced.status).toBe(202);
    const again = await eventually(() => settled(ctx, t.keys.read, known.body.id), (a) => a.processing_attempts === 2);
    expect(again).toMatchObject({ processing_status: 'COMPLETED', schema_render: { strategy: 'table' } });
  });
});

describe.each(BACKENDS)('with rendering at write off on %s', (backend) => {
  const ctx = useApp(backend, { rendering: { atWrite: false } });

  it('every payload goes through the worker, a known shape too', async () => {
    const t = await createTenant(ctx);
    await renderOf(ctx, t.keys.both, FILES);
    const again = await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'Tool', data: MORE_FILES });
    expect(again.body).toMatchObject({ processing_status: 'PENDING', schema_render: null });
    expect((await settled(ctx, t.keys.read, again.body.id)).schema_render).toMatchObject({ strategy: 'table' });
  });
});

describe.each(BACKENDS)('known renders on %s', (backend) => {
  const ctx = useApp(backend, { rendering: { workers: 0 } });

  it('a shape rendered by another process is found in render_cache after the first write that misses it', async () => {
    const t = await createTenant(ctx);
    const analyzerKey = analyzerKeyOf(DEFAULT_RENDERING);
    const render: SchemaRender = {
      version: 1, strategy: 'table', title: 'Files', analyzer: 'builtin', fingerprint: fingerprintOf(FILES, null),
      fields: [{ path: '/files/0/path', label: 'Path', format: 'text' }],
    };
    // What another node's worker stored.
    await cacheRenders(ctx.db, analyzerKey, [{ tenantId: t.tenantId, render }]);
    const known = createKnownRenders({ db: ctx.db, logger: createLogger('silent'), analyzerKey });
    expect(known.atWrite(t.tenantId, [{ data: FILES }, { data: {} }, { data: null }])).toEqual([null, null, null]);
    const later = await eventually(async () => known.atWrite(t.tenantId, [{ data: MORE_FILES }]), (r) => r[0] !== null);
    expect(later).toEqual([{ render, analyzerKey, fingerprint: render.fingerprint }]);
    // Another tenant's write of the same shape is not served from it.
    const stranger = await createTenant(ctx);
    expect(known.atWrite(stranger.tenantId, [{ data: FILES }])).toEqual([null]);
  });

  it('RUNLOG_RENDER_AT_WRITE is on or off; anything else names the variable', () => {
    expect(loadRenderingSettings({}).atWrite).toBe(true);
    expect(loadRenderingSettings({ RUNLOG_RENDER_AT_WRITE: 'off' }).atWrite).toBe(false);
    expect(() => loadRenderingSettings({ RUNLOG_RENDER_AT_WRITE: 'maybe' })).toThrow(ConfigError);
    expect(() => loadRenderingSettings({ RUNLOG_RENDER_AT_WRITE: 'maybe' })).toThrow(/RUNLOG_RENDER_AT_WRITE/);
  });
});

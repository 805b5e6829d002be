import { createReadStream, createWriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { exportLines } from '../src/ops/transfer/export.ts';
import { createImporter, type ImportResult } from '../src/ops/transfer/import.ts';
import { tenantCounts } from '../src/ops/transfer/transfer.repository.ts';
import { call, useApp, type TestContext } from './helpers.ts';
import { comparable, loadDemoDirect, SIGNAL_URLS } from './ops-helpers.ts';
import { cleanupTempDirs, tempDir } from './process-helpers.ts';

afterAll(() => cleanupTempDirs());

async function exportTo(ctx: TestContext, tenant: { id: string; name: string }, file: string, filter: { since?: Date; projectId?: string } = {}) {
  const lines = exportLines(ctx.db, tenant.name, { tenantId: tenant.id, since: filter.since ?? null, until: null, projectId: filter.projectId ?? null });
  await pipeline(Readable.from(lines), createGzip(), createWriteStream(file));
}

async function importFrom(ctx: TestContext, file: string, tenantOverride: string | null = null): Promise<ImportResult> {
  const importer = createImporter(ctx.db, (name) => ctx.services.auth.ensureTenant(name), tenantOverride);
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })) await importer.line(line, ++n);
  return importer.finish();
}

const target = process.env.DATABASE_URL ? 'postgres' : 'pglite';

describe(`export → import, PGlite → ${target}`, () => {
  const source = useApp('pglite');
  const dest = useApp(target);
  let demo: { id: string; name: string };

  it('moves a tenant whole: equal counts, equal signal answers; importing again adds nothing', { timeout: 300_000 }, async () => {
    const name = `demo-${Math.random().toString(36).slice(2, 8)}`;
    const tenant = await source.services.auth.ensureTenant(name);
    demo = tenant;
    await loadDemoDirect(source, tenant.id);
    await source.db.query(`INSERT INTO model_prices (tenant_id, provider, model_pattern, input_per_mtok, output_per_mtok, effective_from) VALUES ($1, 'acme', 'acme-1%', 1, 2, now())`, [tenant.id]);
    const file = path.join(tempDir(), 'tenant.ndjson.gz');
    await exportTo(source, tenant, file);

    const first = await importFrom(dest, file);
    const moved = await dest.services.auth.findTenant(name);
    const want = await tenantCounts(source.db, tenant.id);
    expect(await tenantCounts(dest.db, moved!.id)).toEqual(want);
    expect(first.read).toEqual(want);
    expect(first.added).toEqual(want);
    expect(want).toMatchObject({ runs: 844, users: 3, workspaces: 2, workspace_members: 4, workspace_work_units: 4, model_prices: 1 });

    const srcKey = (await source.services.auth.createKey({ tenantId: tenant.id, name: 'k', scopes: ['admin'] })).key;
    const dstKey = (await dest.services.auth.createKey({ tenantId: moved!.id, name: 'k', scopes: ['admin'] })).key;
    for (const url of [...SIGNAL_URLS, '/work-units?limit=100']) {
      const [a, b] = await Promise.all([call(source, srcKey, 'GET', url), call(dest, dstKey, 'GET', url)]);
      expect([url, b.status]).toEqual([url, 200]);
      expect(comparable(url, b.body)).toEqual(comparable(url, a.body));
    }
    const feed = async (ctx: TestContext, key: string) => (await call(ctx, key, 'GET', '/activities?limit=500')).body.activities.map((x: { id: string }) => x.id);
    expect(await feed(dest, dstKey)).toEqual(await feed(source, srcKey));

    const second = await importFrom(dest, file);
    expect(Object.values(second.added).every((n) => n === 0)).toBe(true);
    expect(await tenantCounts(dest.db, moved!.id)).toEqual(want);
  });

  it('filters by project and time into a tenant of another name; units keep true figures; a cut-off file is refused', { timeout: 120_000 }, async () => {
    const name = `filtered-${Math.random().toString(36).slice(2, 8)}`;
    const file = path.join(tempDir(), 'checkout.ndjson.gz');
    await exportTo(source, demo, file, { projectId: 'checkout', since: new Date(Date.now() - 2 * 86_400_000) });
    const result = await importFrom(dest, file, name);
    const moved = (await dest.services.auth.findTenant(name))!;
    const { rows } = await dest.db.query<{ project_id: string; oldest: Date; n: number }>(
      `SELECT project_id, min(coalesce(started_at, created_at)) AS oldest, count(*)::int AS n FROM runs WHERE tenant_id = $1 GROUP BY 1`, [moved.id]);
    expect(rows.map((r) => r.project_id)).toEqual(['checkout']);
    expect(rows[0]!.oldest.getTime()).toBeGreaterThanOrEqual(Date.now() - 2 * 86_400_000 - 60_000);
    expect(result.added.runs).toBe(rows[0]!.n);
    expect(result.added.projects).toBe(1);
    const { rows: units } = await dest.db.query<{ id: string; total_runs: number; n: number }>(
      `SELECT w.id, w.total_runs, (SELECT count(*)::int FROM runs r WHERE r.tenant_id = w.tenant_id AND r.work_unit_id = w.id) AS n FROM work_units w WHERE w.tenant_id = $1`, [moved.id]);
    expect(units.length).toBe(6);
    for (const u of units) expect(u.total_runs).toBe(u.n);

    const importer = createImporter(dest.db, (n) => dest.services.auth.ensureTenant(n), null);
    let n = 0;
    for await (const line of createInterface({ input: createReadStream(file).pipe(createGunzip()) })) if (!line.includes('"type":"end"')) await importer.line(line, ++n);
    await expect(importer.finish()).rejects.toThrow(/ends before its end line/);
  });
});

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerDashboard } from '../src/http/dashboard.ts';

function appWith(distDir: string) {
  const app = Fastify();
  registerDashboard(app, { distDir });
  app.get('/api/v1/ping', async () => ({ ok: true }));
  return app;
}

describe('the dashboard served at /', () => {
  it('answers a page saying to build it when dist is missing', async () => {
    const app = appWith(join(tmpdir(), 'no-such-dist-dir'));
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('npm run build');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    await app.close();
  });

  it('serves index.html for deep links (no-cache) and hashed assets immutable and gzipped; unknown names 404; the API is untouched', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'runlog-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><script type="module" src="/assets/app-abc.js"></script>');
    writeFileSync(join(dist, 'assets', 'app-abc.js'), 'console.log("dashboard")');
    const app = appWith(dist);
    for (const url of ['/', '/runs/run-1', '/sessions/abc', '/settings']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('/assets/app-abc.js');
    }
    const asset = await app.inject({ url: '/assets/app-abc.js', headers: { 'accept-encoding': 'gzip' } });
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(asset.rawPayload).toString()).toBe('console.log("dashboard")');
    expect((await app.inject({ url: '/assets/..%2Findex.html' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/ping' })).json()).toEqual({ ok: true });
    expect((await app.inject({ url: '/nowhere' })).statusCode).toBe(404);
    await app.close();
  });
});

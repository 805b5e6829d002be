import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build -w packages/web` writes the dashboard. */
export const DEFAULT_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/**
 * The dashboard's pages. Each is answered with index.html (the client routes); listed
 * explicitly so the dashboard never shadows the API, /ws, /docs or the ops routes.
 */
export const DASHBOARD_PAGES = [
  '/', '/login', '/activity', '/runs', '/runs/:id', '/sessions', '/sessions/:id', '/signals',
  '/work-units', '/work-units/:id', '/workspaces', '/workspaces/:id', '/settings',
] as const;

/** No inline script anywhere: payloads on these pages are untrusted (issue 11 §5). */
export const DASHBOARD_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json', '.map': 'application/json',
};
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;
const COMPRESSIBLE = new Set(['.js', '.css', '.svg', '.json', '.map']);

const MISSING_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Runlog: dashboard not built</title></head>
<body style="font:16px system-ui;max-width:40rem;margin:4rem auto;padding:0 1rem">
<h1>The dashboard is not built yet</h1>
<p>Run <code>npm run build</code> (or <code>npm install</code>, which builds it) in the Runlog directory, then reload this page.</p>
<p>The API is up: see <a href="/docs">/docs</a>.</p></body></html>`;

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'no-cache');
}

/** Serves the built dashboard: pages → index.html (no-cache), /assets/* immutable and gzipped once. */
export function registerDashboard(app: FastifyInstance, { distDir = DEFAULT_DIST }: { distDir?: string } = {}): void {
  const gzipped = new Map<string, Buffer>();

  async function page(_request: FastifyRequest, reply: FastifyReply) {
    const index = join(distDir, 'index.html');
    if (!existsSync(index)) return pageHeaders(reply).status(503).type('text/html; charset=utf-8').send(MISSING_PAGE);
    return pageHeaders(reply).type('text/html; charset=utf-8').send(await readFile(index));
  }

  async function file(request: FastifyRequest, reply: FastifyReply, dir: string, name: string, immutable: boolean) {
    const ext = extname(name);
    if (!ASSET_NAME.test(name) || !TYPES[ext]) return reply.status(404).send({ error: 'not_found', message: `no asset ${name.slice(0, 100)}` });
    const path = join(dir, name);
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      return reply.status(404).send({ error: 'not_found', message: `no asset ${name}; rebuild the dashboard with npm run build` });
    }
    reply.type(TYPES[ext]!).header('x-content-type-options', 'nosniff')
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (COMPRESSIBLE.has(ext) && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      let zipped = immutable ? gzipped.get(path) : undefined;
      if (!zipped) {
        zipped = gzipSync(body);
        if (immutable) gzipped.set(path, zipped);
      }
      return reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').send(zipped);
    }
    return reply.send(body);
  }

  for (const url of DASHBOARD_PAGES) app.get(url, { schema: { hide: true } }, page);
  // Names carry a content hash, so a file never changes under its name.
  app.get('/assets/:name', { schema: { hide: true } }, (request, reply) =>
    file(request, reply, join(distDir, 'assets'), (request.params as { name: string }).name, true));
  app.get('/favicon.svg', { schema: { hide: true } }, (request, reply) => file(request, reply, distDir, 'favicon.svg', false));
}

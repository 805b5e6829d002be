import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Database } from '../db/database.ts';
import { migrationsCurrent } from '../db/migrate.ts';

/** /healthz (process up), /readyz (database reachable, migrations current), /metrics (Prometheus). */
export function registerOps(app: FastifyInstance, db: Database, registry: Registry): void {
  const requests = new Counter({
    name: 'runlog_http_requests_total',
    help: 'HTTP requests answered, by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'runlog_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: reply.statusCode });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await db.query('SELECT 1');
      if (!(await migrationsCurrent(db))) {
        return reply.status(503).send({ status: 'not_ready', database: db.kind, reason: 'migrations pending' });
      }
      return { status: 'ready', database: db.kind };
    } catch {
      return reply.status(503).send({ status: 'not_ready', database: db.kind, reason: 'database unreachable' });
    }
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}

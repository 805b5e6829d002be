import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../src/db/postgres.ts';
import { jobsSchemaFor } from '../src/jobs/job-queue.ts';
import { api, killAll, randomSecret, spawnRunlog, startServer, waitExit, waitForOutput, waitReady } from './process-helpers.ts';

/** Jobs apart from HTTP: `runlog serve --jobs off` only enqueues, `runlog worker` works the queue (SPEC §1). */
describe.skipIf(!process.env.DATABASE_URL)('runlog worker beside runlog serve --jobs off (postgres)', () => {
  const schema = `w_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const executor: { server?: Server; calls: unknown[] } = { calls: [] };
  afterEach(killAll);
  afterAll(async () => {
    executor.server?.close();
    const db = openPostgres({ url: process.env.DATABASE_URL!, schema: 'public' });
    await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${jobsSchemaFor(schema)} CASCADE`);
    await db.close();
  });

  it('the web process leaves a dispatch job queued; the worker process sends it', async () => {
    executor.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk)).on('end', () => {
        executor.calls.push(JSON.parse(body));
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => executor.server!.listen(0, '127.0.0.1', resolve));
    const executorUrl = `http://127.0.0.1:${(executor.server.address() as { port: number }).port}/run`;
    const key = randomSecret();
    const env = { DATABASE_URL: process.env.DATABASE_URL, RUNLOG_DATABASE_SCHEMA: schema, RUNLOG_INIT_API_KEY: key, LOG_LEVEL: 'info' };
    const web = await startServer({ ...env, RUNLOG_JOBS: 'off' });
    await waitReady(web, 120_000);
    const unit = await api(web.origin, key, 'POST', '/work-units', { id: 'deploy-1.0.0', name: 'deploy', executor: { type: 'webhook', url: executorUrl, secret: 'a-secret-of-sixteen+' } });
    expect(unit.status).toBe(201);
    const run = await api(web.origin, key, 'POST', '/work-units/deploy-1.0.0/run', { run_id: 'exec-1', input: { env: 'prod' } });
    expect(run.status).toBe(202);
    // Nobody works the queue yet: the run stays pending and the executor hears nothing.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(executor.calls).toEqual([]);
    expect((await api(web.origin, key, 'GET', '/runs/exec-1')).body.status).toBe('pending');

    const worker = spawnRunlog(['worker'], { ...env, RUNLOG_PUBLIC_URL: web.origin });
    await waitForOutput(() => worker.stdout, 'worker started', 60_000);
    for (let i = 0; i < 300 && executor.calls.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(executor.calls).toMatchObject([{ run_id: 'exec-1', work_unit_id: 'deploy-1.0.0', input: { env: 'prod' } }]);
    expect((executor.calls[0] as { callback: { base_url: string } }).callback.base_url).toBe(`${web.origin}/api/v1/runs/exec-1`);
    worker.proc.kill('SIGTERM');
    expect(await waitExit(worker, 15_000)).toEqual({ code: 0, signal: null });
  }, 300_000);

  it('refuses to start on the embedded database, naming the setting', async () => {
    const worker = spawnRunlog(['worker'], {});
    const exit = await waitExit(worker, 30_000);
    expect(exit.code).toBe(2);
    expect(worker.stderr).toContain('DATABASE_URL');
  }, 60_000);
});

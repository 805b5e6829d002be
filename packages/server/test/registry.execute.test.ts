import { createHmac, timingSafeEqual } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { jobsSchemaFor } from '../src/jobs/job-queue.ts';
import { QUEUES } from '../src/jobs/queues.ts';
import { BACKENDS, call, createTenant, useApp, type TestContext, type TestTenant } from './helpers.ts';
import { asUser, signIn } from './workspaces-helpers.ts';

const SECRET = 'executor-shared-secret';

/**
 * The executor's own check, written from the README's contract (not the server's code):
 * HMAC-SHA256 over `${timestamp}.${body}`, compared in constant time, timestamp fresh.
 */
function verify(secret: string, headers: IncomingHttpHeaders, raw: string, now = Date.now()): boolean {
  const timestamp = String(headers['x-runlog-timestamp'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > 5 * 60_000) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`);
  const given = Buffer.from(String(headers['x-runlog-signature'] ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface Delivery {
  raw: string;
  body: any;
  headers: IncomingHttpHeaders;
  at: number;
}

/** A webhook executor on loopback: refuses a bad signature with 401, else answers `respond`'s status. */
async function startExecutor(respond: (d: Delivery, attempt: number) => number) {
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const delivery = { raw, body: JSON.parse(raw), headers: req.headers, at: Date.now() };
      deliveries.push(delivery);
      res.statusCode = verify(SECRET, req.headers, raw) ? respond(delivery, deliveries.length) : 401;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/run`, deliveries, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** What a real executor does after accepting a run: start, two steps, complete, all over HTTP with its key. */
async function reportBack(callback: Record<string, string>, key: string, input: { pods: string[] }): Promise<number[]> {
  const post = (url: string, body: unknown = {}) =>
    fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const statuses: number[] = [];
  statuses.push((await post(callback.start!)).status);
  const steps = [{ step_index: 0, kind: 'llm', skill_name: 'plan' }, { step_index: 1, kind: 'tool', skill_name: 'restart' }];
  statuses.push((await post(callback.steps!, { steps })).status);
  statuses.push((await post(callback.complete!, { output_data: { restarted: input.pods }, step_count: 2 })).status);
  return statuses;
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 25_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const runOf = (ctx: TestContext, t: TestTenant, id: string) => call(ctx, t.keys.read, 'GET', `/runs/${id}`).then((res) => res.body);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function registerUnit(ctx: TestContext, t: TestTenant, id: string, url: string | null) {
  const executor = url ? { type: 'webhook', url, secret: SECRET } : null;
  const res = await call(ctx, t.keys.ingest, 'POST', '/work-units', { id, name: `Unit ${id}`, kind: 'workflow', type: 'composite', executor });
  expect(res.status).toBe(201);
}

async function activityNames(ctx: TestContext, t: TestTenant, runId: string): Promise<string[]> {
  const { rows } = await ctx.db.query<{ action_name: string }>(
    `SELECT action_name FROM activities WHERE tenant_id = $1 AND run_id = $2 ORDER BY seq`, [t.tenantId, runId],
  );
  return rows.map((row) => row.action_name);
}

/** Dispatch jobs of a run in pg-boss's table (beside the app's schema, as helpers.ts sets it up). */
async function countJobs(ctx: TestContext, runId: string): Promise<number> {
  const { rows: [current] } = await ctx.db.query<{ schema: string }>(`SELECT current_schema() AS schema`);
  const { rows } = await ctx.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${jobsSchemaFor(current!.schema)}.job WHERE name = $1 AND data->>'run_id' = $2`, [QUEUES.dispatchRun, runId],
  );
  return rows[0]!.n;
}

/** The app must listen for real: executors call the run API back over HTTP. */
function listen(ctx: TestContext): { url: string } {
  const server = { url: '' };
  beforeAll(async () => {
    server.url = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  });
  return server;
}

describe.each(BACKENDS)('work-unit execution on %s', (backend) => {
  const ctx = useApp(backend);
  const server = listen(ctx);
  const executors: { close: () => Promise<unknown> }[] = [];
  afterAll(async () => {
    await Promise.all(executors.map((e) => e.close()));
  });

  it('runs a unit end to end: 202 pending, one signed dispatch, the executor reports back through the run API', async () => {
    const t = await createTenant(ctx);
    const reports: Promise<number[]>[] = [];
    const executor = await startExecutor((d) => {
      reports.push(reportBack(d.body.callback, t.keys.ingest, d.body.input));
      return 202;
    });
    executors.push(executor);
    await registerUnit(ctx, t, 'restart-pods', executor.url);

    const input = { pods: ['api-1', 'api-2'] };
    const res = await call(ctx, t.keys.admin, 'POST', '/work-units/restart-pods/run', { input, user_name: 'Ann' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: 'pending', state: 'LIVE', work_unit_id: 'restart-pods', work_unit_name: 'Unit restart-pods', work_unit_type: 'composite',
      input_data: input, source: 'execute', user_name: 'Ann', started_at: null,
    });
    const runId = res.body.id as string;

    const done = await waitFor(() => runOf(ctx, t, runId), (run) => run.status === 'completed');
    expect(done).toMatchObject({ status: 'completed', output_data: { restarted: input.pods } });
    expect(await Promise.all(reports)).toEqual([[200, 200, 200]]);

    expect(executor.deliveries).toHaveLength(1);
    const [delivery] = executor.deliveries;
    const base = `${server.url}/api/v1/runs/${runId}`;
    expect(delivery!.body).toEqual({
      run_id: runId, work_unit_id: 'restart-pods', input,
      callback: { base_url: base, start: `${base}/start`, heartbeat: `${base}/heartbeat`, steps: `${base}/steps`, complete: `${base}/complete`, fail: `${base}/fail` },
    });
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(delivery!.headers['x-runlog-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(Math.abs(Number(delivery!.headers['x-runlog-timestamp']) - delivery!.at)).toBeLessThan(60_000);
    // The check an executor makes refuses a tampered body, another secret and an old request.
    expect(verify(SECRET, delivery!.headers, delivery!.raw)).toBe(true);
    expect(verify(SECRET, delivery!.headers, delivery!.raw.replace('api-2', 'db-1'))).toBe(false);
    expect(verify('another-secret', delivery!.headers, delivery!.raw)).toBe(false);
    expect(verify(SECRET, delivery!.headers, delivery!.raw, delivery!.at + 10 * 60_000)).toBe(false);

    const steps = await call(ctx, t.keys.read, 'GET', `/runs/${runId}/steps`);
    expect(steps.body.steps.map((s: { skill_name: string }) => s.skill_name)).toEqual(['plan', 'restart']);
    expect(await activityNames(ctx, t, runId)).toEqual(['run.created', 'run.started', 'run.completed']);
    const unit = await call(ctx, t.keys.read, 'GET', '/work-units/restart-pods');
    expect(unit.body).toMatchObject({ total_runs: 1, latest_run_id: runId, latest_run_status: 'completed' });

    // A dispatch of a run that is no longer pending sends nothing.
    const jobId = await ctx.services.jobs.send(QUEUES.dispatchRun, { tenant_id: t.tenantId, run_id: runId, work_unit_id: 'restart-pods' });
    const job = await waitFor(() => ctx.services.jobs.getJob(QUEUES.dispatchRun, jobId!), (j) => j?.state === 'completed');
    expect(job?.state).toBe('completed');
    expect(executor.deliveries).toHaveLength(1);
  });

  it('retries a failed delivery with backoff: a 500, then a 200', async () => {
    const t = await createTenant(ctx);
    const reports: Promise<number[]>[] = [];
    const executor = await startExecutor((d, attempt) => {
      if (attempt === 1) return 500;
      reports.push(reportBack(d.body.callback, t.keys.ingest, d.body.input));
      return 200;
    });
    executors.push(executor);
    await registerUnit(ctx, t, 'flaky', executor.url);

    const res = await call(ctx, t.keys.admin, 'POST', '/work-units/flaky/run', { input: { pods: ['x'] } });
    expect(res.status).toBe(202);
    const done = await waitFor(() => runOf(ctx, t, res.body.id), (run) => run.status === 'completed');
    expect(done.status).toBe('completed');
    expect(await Promise.all(reports)).toEqual([[200, 200, 200]]);
    expect(executor.deliveries).toHaveLength(2);
    const [first, second] = executor.deliveries;
    expect(second!.raw).toBe(first!.raw);
    // pg-boss's first retry waits at least retryDelay (2 s).
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_900);
  });

  it('answers 404 for an unknown or another tenant\'s unit, 409 without an executor, 403 without the right to run', async () => {
    const t = await createTenant(ctx);
    const other = await createTenant(ctx);
    await registerUnit(ctx, t, 'no-exec', null);
    await registerUnit(ctx, t, 'with-exec', 'http://127.0.0.1:9/run');

    const unknown = await call(ctx, t.keys.admin, 'POST', '/work-units/nope/run', { input: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'not_found', details: { work_unit_id: 'nope' } });
    expect((await call(ctx, other.keys.admin, 'POST', '/work-units/with-exec/run', {})).status).toBe(404);

    const noExecutor = await call(ctx, t.keys.admin, 'POST', '/work-units/no-exec/run');
    expect(noExecutor.status).toBe(409);
    expect(noExecutor.body).toMatchObject({ error: 'no_executor', details: { work_unit_id: 'no-exec' } });

    // An ingest key created without a user belongs to no workspace; a read key may not write at all.
    const keyWithoutUser = await call(ctx, t.keys.ingest, 'POST', '/work-units/with-exec/run', {});
    expect(keyWithoutUser.status).toBe(403);
    expect(keyWithoutUser.body.details).toMatchObject({ required_role: 'member', work_unit_id: 'with-exec' });
    expect((await call(ctx, t.keys.read, 'POST', '/work-units/with-exec/run', {})).status).toBe(403);

    const unknownField = await call(ctx, t.keys.admin, 'POST', '/work-units/with-exec/run', { inputs: {} });
    expect(unknownField).toMatchObject({ status: 400, body: { details: { field: 'inputs' } } });
    const tooLarge = await call(ctx, t.keys.admin, 'POST', '/work-units/with-exec/run', { input: 'x'.repeat(1_100_000) });
    expect(tooLarge).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });

    expect((await call(ctx, t.keys.read, 'GET', '/runs')).body.runs).toEqual([]);
  });

  it('lets a workspace member run the unit, not a viewer', async () => {
    const t = await createTenant(ctx);
    const executor = await startExecutor(() => 200);
    executors.push(executor);
    await registerUnit(ctx, t, 'ws-unit', executor.url);
    const owner = await signIn(ctx, t.tenantId, 'member');
    const viewer = await signIn(ctx, t.tenantId, 'member');
    const ws = (await asUser(ctx, owner, 'POST', '/workspaces', { name: 'ops' })).body.id;
    expect((await asUser(ctx, owner, 'POST', `/workspaces/${ws}/work-units`, { work_unit_id: 'ws-unit' })).status).toBe(201);
    expect((await asUser(ctx, owner, 'POST', `/workspaces/${ws}/members`, { user_id: viewer.id, role: 'viewer' })).status).toBe(201);

    const refused = await asUser(ctx, viewer, 'POST', '/work-units/ws-unit/run', { input: 1 });
    expect(refused.status).toBe(403);
    const ran = await asUser(ctx, owner, 'POST', '/work-units/ws-unit/run', { input: 1 });
    expect(ran.status).toBe(202);
    expect(ran.body).toMatchObject({ user_id: owner.id, input_data: 1, status: 'pending' });
  });

  it('enqueues the dispatch in the run\'s transaction: a rollback leaves neither', async () => {
    const t = await createTenant(ctx);
    const auth = { tenantId: t.tenantId, keyId: 'test', scopes: ['admin'] as const, userId: null, projectId: null };
    const intent = { type: 'run.create' as const, id: 'rolled-back', body: { work_unit_id: 'x' }, auth, at: '' };
    const create = ctx.services.writes.transact(t.tenantId, [intent], async (tx, { results: [run] }) => {
      await ctx.services.jobs.sendInTx(tx, QUEUES.dispatchRun, { tenant_id: t.tenantId, run_id: run!.id, work_unit_id: 'x' });
      throw new Error('crash after the enqueue');
    });
    await expect(create).rejects.toThrow('crash after the enqueue');
    expect((await call(ctx, t.keys.read, 'GET', '/runs/rolled-back')).status).toBe(404);
    expect(await countJobs(ctx, 'rolled-back')).toBe(0);
  });

  it('is idempotent on run_id: the same run and a single dispatch', async () => {
    const t = await createTenant(ctx);
    const executor = await startExecutor(() => 200);
    executors.push(executor);
    await registerUnit(ctx, t, 'once', executor.url);
    await registerUnit(ctx, t, 'elsewhere', executor.url);

    const first = await call(ctx, t.keys.admin, 'POST', '/work-units/once/run', { run_id: 'exec-1', input: { n: 1 } });
    const again = await call(ctx, t.keys.admin, 'POST', '/work-units/once/run', { run_id: 'exec-1', input: { n: 2 } });
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body).toEqual(first.body);
    expect(again.body).toMatchObject({ id: 'exec-1', input_data: { n: 1 } });
    const other = await call(ctx, t.keys.admin, 'POST', '/work-units/elsewhere/run', { run_id: 'exec-1' });
    expect(other).toMatchObject({ status: 409, body: { error: 'run_in_other_work_unit', details: { work_unit_id: 'once' } } });

    await waitFor(async () => executor.deliveries.length, (n) => n >= 1);
    await sleep(1_500); // three polling rounds: a second job would have been delivered by now
    expect(executor.deliveries.map((d) => d.body.run_id)).toEqual(['exec-1']);
    expect(await countJobs(ctx, 'exec-1')).toBe(1);
    expect(await activityNames(ctx, t, 'exec-1')).toEqual(['run.created']);
  });
});

describe.each(BACKENDS)('work-unit execution with a short retry policy on %s', (backend) => {
  const ctx = useApp(backend, { queueOptions: { [QUEUES.dispatchRun]: { retryLimit: 1, retryDelay: 1, retryBackoff: false } } });
  listen(ctx);

  it('fails the run with dispatch_failed once the retries are spent', async () => {
    const t = await createTenant(ctx);
    const executor = await startExecutor(() => 500);
    // A port nothing listens on: the connection is refused.
    const closed = await startExecutor(() => 200);
    await closed.close();
    try {
      await registerUnit(ctx, t, 'broken', executor.url);
      await registerUnit(ctx, t, 'gone', closed.url);
      const broken = await call(ctx, t.keys.admin, 'POST', '/work-units/broken/run', { input: {} });
      const gone = await call(ctx, t.keys.admin, 'POST', '/work-units/gone/run', { input: {} });
      expect([broken.status, gone.status]).toEqual([202, 202]);

      const [brokenRun, goneRun] = await Promise.all([broken, gone].map((res) => waitFor(() => runOf(ctx, t, res.body.id), (run) => run.status !== 'pending')));
      expect(brokenRun).toMatchObject({ status: 'failed', state: 'COMPLETED', error_type: 'dispatch_failed', error: 'dispatch failed after 2 attempts: the executor answered 500' });
      expect(goneRun).toMatchObject({ status: 'failed', error_type: 'dispatch_failed' });
      expect(goneRun.error).toMatch(/^dispatch failed after 2 attempts: the executor could not be reached: /);
      expect(executor.deliveries).toHaveLength(2);
      expect(await activityNames(ctx, t, brokenRun.id)).toEqual(['run.created', 'run.failed']);
      expect((await call(ctx, t.keys.read, 'GET', '/work-units/broken')).body).toMatchObject({ latest_run_status: 'failed' });
    } finally {
      await executor.close();
    }
  });
});

describe('the public URL executors call back', () => {
  it('defaults to the listen address and refuses what is not an http(s) base URL', () => {
    expect(loadConfig({}, {}).publicUrl).toBe('http://127.0.0.1:3001');
    expect(loadConfig({}, { HOST: '0.0.0.0', PORT: '8080' }).publicUrl).toBe('http://127.0.0.1:8080');
    expect(loadConfig({}, { HOST: '::1' }).publicUrl).toBe('http://[::1]:3001');
    expect(loadConfig({ 'public-url': 'https://runlog.example.com/' }, { RUNLOG_PUBLIC_URL: 'http://x' }).publicUrl).toBe('https://runlog.example.com');
    for (const bad of ['ftp://runlog.example.com', 'not a url', 'https://runlog.example.com/?a=1']) {
      expect(() => loadConfig({}, { RUNLOG_PUBLIC_URL: bad })).toThrow(/^RUNLOG_PUBLIC_URL:/);
    }
  });
});

import { createServer, type RequestListener } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp, type TestContext } from '../../server/test/helpers.ts';
import { cleanupTempDirs, freePort } from '../../server/test/process-helpers.ts';
import { close, flakyProxy, installPackedSdk, listen, runScript, startScript } from './sdk-helpers.ts';

// Every script runs in a project that installed the packed tarball: `@runlog/sdk` resolves
// to what `npm pack` produced, never to this repository's sources.
const PRELUDE = `
import { Runlog } from '@runlog/sdk';
const out = (o) => console.log(JSON.stringify(o));
`;

let project: string;
beforeAll(async () => {
  project = await installPackedSdk();
});
afterAll(() => cleanupTempDirs());

async function listening(ctx: TestContext): Promise<string> {
  const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  return address.replace('localhost', '127.0.0.1');
}

async function activityById(ctx: TestContext, key: string, id: string) {
  const page = (await call(ctx, key, 'GET', '/activities?source=sdk&limit=500')).body;
  return page.activities.filter((a: { id: string }) => a.id === id);
}

describe('the packed SDK', () => {
  it('is ESM with type declarations and no dependencies', async () => {
    const [m] = await runScript(project, `
      import { readFileSync } from 'node:fs';
      import { createRequire } from 'node:module';
      import * as sdk from '@runlog/sdk';
      const require = createRequire(import.meta.url);
      const pkgPath = require.resolve('@runlog/sdk/package.json');
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
      const types = readFileSync(new URL('./dist/index.d.ts', 'file://' + pkgPath), 'utf8');
      console.log(JSON.stringify({ exports: Object.keys(sdk).sort(), deps: pkg.dependencies ?? {}, engines: pkg.engines, typesExportRunlog: /Runlog/.test(types) }));
    `, {});
    expect(m).toEqual({ exports: ['RunHandle', 'Runlog', 'RunlogDeliveryError'], deps: {}, engines: { node: '>=20' }, typesExportRunlog: true });
  });

  it('with a dead server and a small maxQueueSize: memory stays bounded, drops are counted, nothing throws, the process exits', async () => {
    const port = await freePort(); // nobody listens there
    const script = startScript(project, `${PRELUDE}
      const reasons = new Set();
      const rl = new Runlog({ maxQueueSize: 50, flushIntervalMs: 10, retryBaseMs: 10, retryMaxMs: 50, onError: (e) => reasons.add(e.reason) });
      let maxQueued = 0;
      const results = [];
      for (let i = 0; i < 20; i++) {
        results.push(await rl.run({ workUnitName: 'busy', input: { i } }, async (run) => {
          for (let s = 0; s < 10; s++) {
            run.step({ kind: 'tool', skillName: 'step-' + s });
            maxQueued = Math.max(maxQueued, rl.stats().queued);
          }
          return i * 2;
        }));
        maxQueued = Math.max(maxQueued, rl.stats().queued);
      }
      let caught = null;
      try {
        await rl.run({ workUnitName: 'busy' }, async () => { throw new RangeError('own error'); });
      } catch (err) { caught = err.message; }
      rl.activity({ actionName: 'deploy' });
      const flushed = await rl.flush(200);
      const shutdown = await rl.shutdown(200);
      out({ results, caught, maxQueued, flushed, shutdown, stats: rl.stats(), reasons: [...reasons].sort() });
    `, { RUNLOG_URL: `http://127.0.0.1:${port}`, RUNLOG_API_KEY: 'rlk_unused' });
    const end = await script.exited;
    expect(end.code, end.stderr).toBe(0);
    const [m] = script.messages;
    // 20 runs × (create + 10 steps + complete), the failing run (create + fail), one activity.
    const records = 20 * 12 + 2 + 1;
    expect(m!.results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    expect(m!.caught).toBe('own error');
    expect(m!.maxQueued).toBeLessThanOrEqual(50);
    expect(m!.flushed).toBe(false);
    expect(m!.shutdown).toBe(false);
    expect(m!.stats).toMatchObject({ queued: 0, sent: 0, rejected: 0, dropped: records });
    expect(m!.stats.retries).toBeGreaterThan(0);
    expect(m!.reasons).toEqual(['dropped']);
  });
});

describe.each(BACKENDS)('the packed SDK against a real server on %s', (backend) => {
  const ctx = useApp(backend);
  let url: string;
  beforeAll(async () => {
    url = await listening(ctx);
  });

  it('records a completed run with steps, a failed run and an activity, stored as sent', async () => {
    const t = await createTenant(ctx);
    const [m] = await runScript(project, `${PRELUDE}
      const rl = new Runlog({ url: process.env.URL, apiKey: process.env.KEY, flushIntervalMs: 1000, maxQueueSize: 10_000 });
      const result = await rl.run({ id: 'sdk-ok', workUnitName: 'triage', agentId: 'triage-v2', input: { ticket: 42 }, sessionId: 'sess-1' }, async (run) => {
        run.step({ kind: 'llm', skillName: 'plan', inputTokens: 1200, outputTokens: 80, model: 'claude-sonnet-4-5', providerType: 'anthropic' });
        run.step({ kind: 'tool', skillName: 'search', durationMs: 30 });
        run.step({ kind: 'llm', skillName: 'answer', inputTokens: 800, outputTokens: 120, model: 'claude-sonnet-4-5' });
        return { label: 'bug' };
      });
      let caught = null;
      try {
        await rl.run({ id: 'sdk-bad', workUnitName: 'triage', agentId: 'triage-v2' }, async (run) => {
          run.step({ kind: 'llm', skillName: 'plan' });
          throw new TypeError('the model refused');
        });
      } catch (err) { caught = { name: err.name, message: err.message }; }
      const activityId = rl.activity({ actionName: 'deploy', targetName: 'api', data: { version: '1.2.3' } });
      const flushed = await rl.flush();
      const shutdown = await rl.shutdown();
      out({ result, caught, activityId, flushed, shutdown, stats: rl.stats() });
    `, { URL: url, KEY: t.keys.ingest });

    expect(m!.result).toEqual({ label: 'bug' });
    expect(m!.caught).toEqual({ name: 'TypeError', message: 'the model refused' });
    expect(m!.flushed).toBe(true);
    expect(m!.shutdown).toBe(true);
    // 2 creates + 4 steps + complete + fail + activity.
    expect(m!.stats).toEqual({ queued: 0, sent: 9, dropped: 0, retries: 0, rejected: 0 });

    const ok = (await call(ctx, t.keys.read, 'GET', '/runs/sdk-ok')).body;
    expect(ok).toMatchObject({
      status: 'completed', work_unit_name: 'triage', agent_id: 'triage-v2', source: 'sdk', session_id: 'sess-1',
      input_data: { ticket: 42 }, output_data: { label: 'bug' },
      input_tokens: 2000, output_tokens: 200, model: 'claude-sonnet-4-5', provider_type: 'anthropic', cost_source: 'computed',
    });
    // claude-sonnet-4-5: 2,000 input × $3/M + 200 output × $15/M.
    expect(ok.estimated_cost_usd).toBeCloseTo(0.009, 6);
    const steps = (await call(ctx, t.keys.read, 'GET', '/runs/sdk-ok/steps')).body.steps;
    expect(steps.map((s: any) => [s.step_index, s.kind, s.skill_name, s.input_tokens, s.duration_ms])).toEqual([
      [0, 'llm', 'plan', 1200, null], [1, 'tool', 'search', null, 30], [2, 'llm', 'answer', 800, null],
    ]);

    const bad = (await call(ctx, t.keys.read, 'GET', '/runs/sdk-bad')).body;
    expect(bad).toMatchObject({ status: 'failed', error: 'the model refused', error_type: 'TypeError' });
    expect((await call(ctx, t.keys.read, 'GET', '/runs/sdk-bad/steps')).body.steps).toHaveLength(1);

    const [activity] = await activityById(ctx, t.keys.read, m!.activityId);
    expect(activity).toMatchObject({ action_name: 'deploy', target_name: 'api', source: 'sdk', data: { version: '1.2.3' } });
  });

  it('delivers what was recorded while the server was down, once it comes up', async () => {
    const t = await createTenant(ctx);
    const port = await freePort();
    const script = startScript(project, `${PRELUDE}
      const rl = new Runlog({ url: process.env.URL, apiKey: process.env.KEY, flushIntervalMs: 20, retryBaseMs: 20, retryMaxMs: 200 });
      await rl.run({ id: 'sdk-late', workUnitName: 'offline' }, async (run) => { run.step({ kind: 'llm' }); run.step({ kind: 'tool' }); return 1; });
      const activityId = rl.activity({ actionName: 'queued-while-down', runId: 'sdk-late' });
      const watch = setInterval(() => { if (rl.stats().retries > 0) { clearInterval(watch); out({ event: 'retrying', stats: rl.stats() }); } }, 5);
      const flushed = await rl.flush(60_000);
      await rl.shutdown();
      out({ event: 'done', activityId, flushed, stats: rl.stats() });
    `, { URL: `http://127.0.0.1:${port}`, KEY: t.keys.ingest });

    const retrying = await script.waitFor((m) => m.event === 'retrying');
    expect(retrying.stats).toMatchObject({ queued: 5, sent: 0 });
    // The server comes up on the port the client has been trying: the same app's handler.
    const server = createServer(ctx.app.server.listeners('request')[0] as RequestListener);
    await listen(server, port);
    try {
      const end = await script.exited;
      expect(end.code, end.stderr).toBe(0);
    } finally {
      await close(server);
    }
    const done = script.messages.find((m) => m.event === 'done')!;
    expect(done.flushed).toBe(true);
    expect(done.stats).toMatchObject({ queued: 0, sent: 5, dropped: 0, rejected: 0 });
    expect((await call(ctx, t.keys.read, 'GET', '/runs/sdk-late')).body).toMatchObject({ status: 'completed', output_data: 1 });
    expect((await call(ctx, t.keys.read, 'GET', '/runs/sdk-late/steps')).body.steps).toHaveLength(2);
    expect(await activityById(ctx, t.keys.read, done.activityId)).toHaveLength(1);
  });

  it('a resend after a lost answer or a 503 never doubles anything', async () => {
    const t = await createTenant(ctx);
    const proxy = flakyProxy(url, ['forward-then-cut', 'unavailable']);
    const port = await listen(proxy.server);
    try {
      const [m] = await runScript(project, `${PRELUDE}
        const rl = new Runlog({ url: process.env.URL, apiKey: process.env.KEY, flushIntervalMs: 20, retryBaseMs: 20, retryMaxMs: 100 });
        await rl.run({ id: 'sdk-once', workUnitName: 'resent' }, async (run) => {
          for (let i = 0; i < 5; i++) run.step({ kind: 'tool', skillName: 'call-' + i, inputTokens: 10 });
          return 'ok';
        });
        const activityId = rl.activity({ id: 'sdk-once-act', actionName: 'once', runId: 'sdk-once' });
        const flushed = await rl.flush(30_000);
        await rl.shutdown();
        out({ activityId, flushed, stats: rl.stats() });
      `, { URL: `http://127.0.0.1:${port}`, KEY: t.keys.ingest });
      expect(proxy.seen.slice(0, 3)).toEqual(['forward-then-cut', 'unavailable', 'forward']);
      expect(m!.flushed).toBe(true);
      expect(m!.stats).toMatchObject({ queued: 0, sent: 8, dropped: 0, rejected: 0, retries: 2 });
    } finally {
      await close(proxy.server);
    }
    const run = (await call(ctx, t.keys.read, 'GET', '/runs/sdk-once')).body;
    expect(run).toMatchObject({ status: 'completed', input_tokens: 50 });
    expect((await call(ctx, t.keys.read, 'GET', '/runs/sdk-once/steps')).body.steps).toHaveLength(5);
    const feed = (await call(ctx, t.keys.read, 'GET', '/activities?run_id=sdk-once')).body.activities;
    expect(feed.map((a: { action_name: string }) => a.action_name).sort()).toEqual(['once', 'run.completed', 'run.started']);
  });

  it('sends what is queued before the process exits on its own, and on SIGTERM', async () => {
    const t = await createTenant(ctx);
    // No flush, no shutdown: the script just ends (beforeExit).
    await runScript(project, `${PRELUDE}
      const rl = new Runlog({ url: process.env.URL, apiKey: process.env.KEY, flushIntervalMs: 60_000 });
      await rl.run({ id: 'sdk-exit', workUnitName: 'short-lived' }, async (run) => { run.step({ kind: 'llm' }); return 'bye'; });
      rl.activity({ id: 'sdk-exit-act', actionName: 'exit' });
    `, { URL: url, KEY: t.keys.ingest });
    expect((await call(ctx, t.keys.read, 'GET', '/runs/sdk-exit')).body).toMatchObject({ status: 'completed', output_data: 'bye' });
    expect(await activityById(ctx, t.keys.read, 'sdk-exit-act')).toHaveLength(1);

    // A process kept alive by its own work, stopped by SIGTERM: it sends, then dies of the signal.
    const script = startScript(project, `${PRELUDE}
      const rl = new Runlog({ url: process.env.URL, apiKey: process.env.KEY, flushIntervalMs: 60_000 });
      rl.startRun({ id: 'sdk-term', workUnitName: 'server' }).step({ kind: 'tool' });
      setInterval(() => {}, 1000);
      out({ event: 'ready' });
    `, { URL: url, KEY: t.keys.ingest });
    await script.waitFor((m) => m.event === 'ready');
    script.child.kill('SIGTERM');
    const end = await script.exited;
    expect(end.signal, end.stderr).toBe('SIGTERM');
    expect((await call(ctx, t.keys.read, 'GET', '/runs/sdk-term')).body).toMatchObject({ status: 'running' });
    expect((await call(ctx, t.keys.read, 'GET', '/runs/sdk-term/steps')).body.steps).toHaveLength(1);

    // The application's own SIGTERM handler stays in charge: the client neither exits early nor swallows it.
    const own = startScript(project, `${PRELUDE}
      const rl = new Runlog({ url: process.env.URL, apiKey: process.env.KEY, flushIntervalMs: 60_000 });
      process.on('SIGTERM', async () => {
        const delivered = await rl.shutdown();
        setTimeout(() => { out({ event: 'own-handler', delivered }); process.exit(7); }, 200);
      });
      rl.activity({ id: 'sdk-own-term', actionName: 'term' });
      setInterval(() => {}, 1000);
      out({ event: 'ready' });
    `, { URL: url, KEY: t.keys.ingest });
    await own.waitFor((m) => m.event === 'ready');
    own.child.kill('SIGTERM');
    const ownEnd = await own.exited;
    expect(ownEnd.code, ownEnd.stderr).toBe(7);
    expect(own.messages.find((m) => m.event === 'own-handler')).toEqual({ event: 'own-handler', delivered: true });
    expect(await activityById(ctx, t.keys.read, 'sdk-own-term')).toHaveLength(1);
  });

  it('keeps a long run without steps from looking silent: heartbeats', async () => {
    const t = await createTenant(ctx);
    const script = startScript(project, `${PRELUDE}
      const rl = new Runlog({ url: process.env.URL, apiKey: process.env.KEY, flushIntervalMs: 20, heartbeatIntervalMs: 50 });
      rl.startRun({ id: 'sdk-long', workUnitName: 'slow' });
      await rl.flush();
      out({ event: 'created' });
      setInterval(() => {}, 1000);
    `, { URL: url, KEY: t.keys.ingest });
    try {
      await script.waitFor((m) => m.event === 'created');
      const first = (await call(ctx, t.keys.read, 'GET', '/runs/sdk-long')).body.last_seen_at;
      let last = first;
      while (last === first) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        last = (await call(ctx, t.keys.read, 'GET', '/runs/sdk-long')).body.last_seen_at;
      }
      expect(Date.parse(last)).toBeGreaterThan(Date.parse(first));
    } finally {
      script.child.kill('SIGKILL');
      await script.exited;
    }
  });
});

describe('the packed SDK against a server with a small body limit', () => {
  const ctx = useApp('pglite', { bodyLimitBytes: 20_000 });

  it('halves a batch the server finds too large, in order, and reports an item too large on its own', async () => {
    const t = await createTenant(ctx);
    const url = await listening(ctx);
    const [m] = await runScript(project, `${PRELUDE}
      const errors = [];
      const rl = new Runlog({ url: process.env.URL, apiKey: process.env.KEY, flushIntervalMs: 60_000, onError: (e) => errors.push({ reason: e.reason, status: e.details.status }) });
      for (let i = 0; i < 40; i++) rl.activity({ id: 'big-' + i, actionName: 'upload', data: { blob: 'x'.repeat(1000) } });
      rl.activity({ id: 'huge', actionName: 'upload', data: { blob: 'x'.repeat(30_000) } });
      const flushed = await rl.flush(30_000);
      await rl.shutdown();
      out({ flushed, stats: rl.stats(), errors });
    `, { URL: url, KEY: t.keys.ingest });
    expect(m!.flushed).toBe(true);
    expect(m!.stats).toMatchObject({ queued: 0, sent: 40, rejected: 1, dropped: 0, retries: 0 });
    expect(m!.errors).toEqual([{ reason: 'rejected', status: 413 }]);
    const feed = (await call(ctx, t.keys.read, 'GET', '/activities?source=sdk&after_seq=0&limit=500')).body.activities;
    expect(feed.map((a: { id: string }) => a.id)).toEqual(Array.from({ length: 40 }, (_, i) => `big-${i}`));
  });
});

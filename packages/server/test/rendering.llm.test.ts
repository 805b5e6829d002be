import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RenderingSettings } from '../src/domain/rendering/rendering.settings.ts';
import { BACKENDS, call, createTenant, useApp, type TestContext } from './helpers.ts';
import { eventually, renderOf, settled } from './rendering-helpers.ts';

/**
 * A real OpenAI-compatible chat/completions server on 127.0.0.1: it answers with a
 * render_activity tool call, or with what a test asks for (429, 500, a bad answer, silence).
 */
type Reply = (req: { body: any; headers: IncomingMessage['headers'] }, res: ServerResponse) => void;

function toolAnswer(args: unknown): string {
  return JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    choices: [{
      index: 0,
      finish_reason: 'tool_calls',
      message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'render_activity', arguments: JSON.stringify(args) } }] },
    }],
  });
}

const GOOD = { strategy: 'table', title: 'Changed files', fields: [{ path: '/files/0/name', label: 'File', format: 'text' }, { path: '/files/0/lines', label: 'Lines', format: 'integer' }] };
const WHOLE = { strategy: 'json', title: 'Payload', fields: [{ path: '', label: 'Payload', format: 'json' }] };

function fakeLlm() {
  const state = {
    calls: [] as Array<{ body: any; headers: IncomingMessage['headers']; bytes: number }>,
    reply: ((_req, res) => res.end(toolAnswer(WHOLE))) as Reply,
    hanging: [] as ServerResponse[],
    url: '',
    server: null as Server | null,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse(raw.toString('utf8'));
      state.calls.push({ body, headers: req.headers, bytes: raw.length });
      res.setHeader('content-type', 'application/json');
      state.reply({ body, headers: req.headers }, res);
    });
  });
  state.server = server;
  return {
    state,
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    },
    async stop() {
      for (const res of state.hanging) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function useLlmApp(backend: (typeof BACKENDS)[number], fallback: 'builtin' | 'fail') {
  const llm = fakeLlm();
  const rendering: Partial<RenderingSettings> = { fallback, maxAttempts: fallback === 'fail' ? 2 : 1, retryDelayMs: 10 };
  beforeAll(async () => {
    await llm.start();
    rendering.llm = { baseUrl: llm.state.url, apiKey: 'sk-test', model: 'test-model', timeoutMs: 1_000, maxRetries: 2, backoffMs: 20, maxBackoffMs: 5_000 };
  });
  const ctx = useApp(backend, { rendering });
  afterAll(() => llm.stop());
  beforeEach(() => {
    llm.state.calls.length = 0;
    llm.state.reply = (_req, res) => res.end(toolAnswer(WHOLE));
  });
  return { ctx, llm: llm.state };
}

async function ingest(ctx: TestContext, key: string, payloads: unknown[]) {
  const items = payloads.map((data, i) => ({ type: 'activity.create', id: `a-${i}-${Math.random().toString(36).slice(2, 8)}`, body: { action_name: 'Tool', data } }));
  const res = await call(ctx, key, 'POST', '/ingest', { items });
  expect(res.body.results.every((r: { status: number }) => r.status === 201)).toBe(true);
  return items.map((i) => i.id);
}

async function allSettled(ctx: TestContext, key: string, ids: string[]) {
  return Promise.all(ids.map((id) => settled(ctx, key, id)));
}

describe.each(BACKENDS)('LLM analyzer (fallback builtin) on %s', (backend) => {
  const { ctx, llm } = useLlmApp(backend, 'builtin');

  it('sends one forced render_activity call and stores its validated render', async () => {
    llm.reply = (_req, res) => res.end(toolAnswer(GOOD));
    const t = await createTenant(ctx);
    const activity = await renderOf(ctx, t.keys.both, { files: [{ name: 'a.ts', lines: 3 }, { name: 'b.ts', lines: 9 }] });
    expect(activity.processing_status).toBe('COMPLETED');
    expect(activity.schema_render).toEqual({ version: 1, ...GOOD, analyzer: 'llm', fingerprint: expect.any(String) });
    expect(llm.calls).toHaveLength(1);
    const { body, headers } = llm.calls[0]!;
    expect(headers.authorization).toBe('Bearer sk-test');
    expect(body.model).toBe('test-model');
    expect(body.tools).toEqual([{ type: 'function', function: expect.objectContaining({ name: 'render_activity', parameters: expect.objectContaining({ type: 'object' }) }) }]);
    expect(body.tools[0].function.parameters.properties.strategy.enum).toEqual(['table', 'key_value', 'timeline', 'metric', 'chart', 'code', 'diff', 'markdown', 'list', 'json']);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'render_activity' } });
  });

  it('a thousand activities of a few shapes cost one call per shape and tenant; the cache is a table', async () => {
    const t = await createTenant(ctx);
    const shapes = [(i: number) => ({ n: i }), (i: number) => ({ tags: [`x${i}`] }), (i: number) => ({ file: `f${i}`, ok: true })];
    const payloads = Array.from({ length: 1_000 }, (_, i) => shapes[i % 3]!(i));
    const ids = await ingest(ctx, t.keys.ingest, payloads);
    const done = await eventually(
      async () => (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM activities WHERE tenant_id = $1 AND processing_status = 'COMPLETED'`, [t.tenantId])).rows[0]!.n,
      (n) => n === 1_000,
    );
    expect(done).toBe(1_000);
    expect(llm.calls).toHaveLength(3);
    const sample = await allSettled(ctx, t.keys.read, ids.slice(0, 3));
    for (const a of sample) expect(a.schema_render).toMatchObject({ analyzer: 'llm', strategy: 'json' });
    const cached = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM render_cache WHERE tenant_id = $1 AND analyzer_key LIKE 'llm:test-model:%'`, [t.tenantId]);
    expect(cached.rows[0]!.n).toBe(3);
    // Same shapes again: answered from the cache. Another tenant's same shape is its own.
    await allSettled(ctx, t.keys.read, await ingest(ctx, t.keys.ingest, shapes.map((s) => s(5_000))));
    expect(llm.calls).toHaveLength(3);
    const other = await createTenant(ctx);
    await allSettled(ctx, other.keys.read, await ingest(ctx, other.keys.ingest, [shapes[0]!(1)]));
    expect(llm.calls).toHaveLength(4);
  });

  it('sends a bounded sample of a big payload, never the payload', async () => {
    const t = await createTenant(ctx);
    const rows = Array.from({ length: 5_000 }, (_, i) => ({ name: `file-${i}.ts`, body: 'x'.repeat(200), lines: i }));
    const activity = await renderOf(ctx, t.keys.both, { files: rows });
    expect(activity.processing_status).toBe('COMPLETED');
    expect(JSON.stringify({ files: rows }).length).toBeGreaterThan(1_000_000);
    expect(llm.calls[0]!.bytes).toBeLessThan(20_000);
  });

  it('an invalid tool answer falls back to the built-in render, which says why', async () => {
    const t = await createTenant(ctx);
    llm.reply = (_req, res) => res.end(toolAnswer({ strategy: 'carousel', title: 'x', fields: [] }));
    const a = await renderOf(ctx, t.keys.both, { before: 'a', after: 'b' });
    expect(a.processing_status).toBe('COMPLETED');
    expect(a.schema_render).toMatchObject({ analyzer: 'builtin', strategy: 'diff', fallback_reason: expect.stringMatching(/strategy "carousel"/) });
    llm.reply = (_req, res) => res.end(toolAnswer({ strategy: 'table', title: 'x', fields: [{ path: '/nowhere/0/x', label: 'X', format: 'text' }] }));
    const b = await renderOf(ctx, t.keys.both, { files: [{ name: 'a' }] });
    expect(b.schema_render).toMatchObject({ analyzer: 'builtin', strategy: 'table', fallback_reason: expect.stringMatching(/fields\[0\]\.path "\/nowhere\/0\/x" is not in the payload/) });
    llm.reply = (_req, res) => res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'I think a table' } }] }));
    const c = await renderOf(ctx, t.keys.both, { tags: ['a'] });
    expect(c.schema_render).toMatchObject({ analyzer: 'builtin', strategy: 'list', fallback_reason: expect.stringMatching(/no render_activity tool call/) });
    expect(llm.calls).toHaveLength(3);
  });

  it('a 429 with Retry-After is waited out, then the answer is used', async () => {
    const t = await createTenant(ctx);
    llm.reply = (_req, res) => {
      if (llm.calls.length === 1) {
        res.statusCode = 429;
        res.setHeader('retry-after', '1');
        return res.end(JSON.stringify({ error: { message: 'rate limited' } }));
      }
      res.end(toolAnswer(GOOD));
    };
    const a = await renderOf(ctx, t.keys.both, { files: [{ name: 'x', lines: 1 }] });
    expect(a.schema_render).toMatchObject({ analyzer: 'llm', strategy: 'table' });
    expect(llm.calls).toHaveLength(2);
  });

  it('a 500 that never heals completes with the built-in render (not cached), and a forced retry after it heals uses the LLM', async () => {
    const t = await createTenant(ctx);
    llm.reply = (_req, res) => {
      res.statusCode = 500;
      res.end('{"error":"down"}');
    };
    const a = await renderOf(ctx, t.keys.both, { files: [{ name: 'x', lines: 1 }] });
    expect(a.processing_status).toBe('COMPLETED');
    expect(a.schema_render).toMatchObject({ analyzer: 'builtin', strategy: 'table', fallback_reason: expect.stringMatching(/answered 500 \(3 attempts\)/) });
    expect(llm.calls).toHaveLength(3);
    llm.reply = (_req, res) => res.end(toolAnswer(GOOD));
    const retry = await call(ctx, t.keys.ingest, 'POST', `/activities/${a.id}/retry?force=true`);
    expect(retry.status).toBe(202);
    const healed = await eventually(() => settled(ctx, t.keys.read, a.id), (x) => x.schema_render?.analyzer === 'llm');
    expect(healed).toMatchObject({ processing_status: 'COMPLETED', processing_attempts: 2, schema_render: { strategy: 'table', title: 'Changed files' } });
  });

  it('a service that never answers is cut by the timeout', async () => {
    const t = await createTenant(ctx);
    llm.reply = (_req, res) => {
      // Kept open until the server stops: only the client's timeout ends the wait.
      (llm as unknown as { hanging: ServerResponse[] }).hanging.push(res);
    };
    const a = await renderOf(ctx, t.keys.both, { tags: ['a', 'b'] });
    expect(a.schema_render).toMatchObject({ analyzer: 'builtin', strategy: 'list', fallback_reason: expect.stringMatching(/did not answer within 1000 ms/) });
  });
});

describe.each(BACKENDS)('LLM analyzer (fallback fail) on %s', (backend) => {
  const { ctx, llm } = useLlmApp(backend, 'fail');

  it('a 500 that never heals marks the activity FAILED after its attempts; retry after it heals completes it', async () => {
    const t = await createTenant(ctx);
    llm.reply = (_req, res) => {
      res.statusCode = 503;
      res.end();
    };
    const created = await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'Tool', data: { files: [{ name: 'x', lines: 1 }] } });
    const failed = await settled(ctx, t.keys.read, created.body.id);
    expect(failed).toMatchObject({ processing_status: 'FAILED', processing_attempts: 2, schema_render: null });
    expect(failed.processing_error).toMatch(/the LLM analyzer failed: the LLM service answered 503 \(3 attempts\)/);
    expect(llm.calls).toHaveLength(6); // two attempts of the job, three requests each
    const render = await call(ctx, t.keys.read, 'GET', `/activities/${created.body.id}/render`);
    expect(render.status).toBe(409);
    expect(render.body).toMatchObject({ error: 'not_rendered', details: { processing_status: 'FAILED' } });
    const status = await call(ctx, t.keys.read, 'GET', `/activities/${created.body.id}/processing`);
    expect(status.body).toMatchObject({ processing_status: 'FAILED', processing_error: failed.processing_error, processing_attempts: 2 });

    llm.reply = (_req, res) => res.end(toolAnswer(GOOD));
    const retry = await call(ctx, t.keys.ingest, 'POST', `/activities/${created.body.id}/retry`);
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ id: created.body.id, processing_status: 'PENDING', processing_error: null });
    const done = await settled(ctx, t.keys.read, created.body.id);
    expect(done).toMatchObject({ processing_status: 'COMPLETED', processing_error: null, processing_attempts: 3, schema_render: { analyzer: 'llm', strategy: 'table' } });
  });
});

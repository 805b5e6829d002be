import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';
import { renderOf as renderSql } from '../src/domain/activities/activity-columns.ts';
import { renderOf, settled } from './rendering-helpers.ts';

const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00Z`;

/** Issue 10 item 3: each canonical shape and the strategy (and fields) it must come out as. */
const SHAPES: Array<{ name: string; data: Record<string, unknown>; strategy: string; paths?: string[] }> = [
  { name: 'array of objects sharing keys', data: { files: [{ path: 'a.ts', lines: 10 }, { path: 'b.ts', lines: 3 }] }, strategy: 'table', paths: ['/files/0/path', '/files/0/lines'] },
  { name: 'objects each with an ISO timestamp', data: { events: [{ timestamp: at(1), message: 'start' }, { timestamp: at(2), message: 'done' }] }, strategy: 'timeline', paths: ['/events/0/timestamp', '/events/0/message'] },
  { name: 'objects with started_at', data: { steps: [{ started_at: at(1), name: 'plan' }, { started_at: at(3), name: 'act' }] }, strategy: 'timeline' },
  { name: 'array of numbers', data: { latencies: [12, 15, 11, 30] }, strategy: 'chart', paths: ['/latencies'] },
  { name: '{t, value} points', data: { series: [{ t: at(1), value: 1.5 }, { t: at(2), value: 2 }] }, strategy: 'chart', paths: ['/series/0/t', '/series/0/value'] },
  { name: '{x, y} points', data: { points: [{ x: 1, y: 2 }, { x: 2, y: 4 }] }, strategy: 'chart' },
  { name: 'small flat object of numbers', data: { input_tokens: 1200, output_tokens: 300, cost_usd: 0.02 }, strategy: 'metric', paths: ['/input_tokens', '/output_tokens', '/cost_usd'] },
  { name: '{before, after}', data: { before: 'let a = 1;', after: 'let a = 2;' }, strategy: 'diff', paths: ['/before', '/after'] },
  { name: '{old, new}', data: { old: 'x', new: 'y' }, strategy: 'diff' },
  { name: 'unified diff string', data: { patch: '--- a/x.ts\n+++ b/x.ts\n@@ -1 +1 @@\n-a\n+b\n' }, strategy: 'diff', paths: ['/patch'] },
  { name: 'string with a language hint', data: { code: 'print("hi")', language: 'python' }, strategy: 'code', paths: ['/code', '/language'] },
  { name: 'unmistakable code', data: { source: 'import fs from "node:fs";\nconst a = 1;\nfunction f() {\n  return a;\n}\n' }, strategy: 'code' },
  { name: 'Markdown string', data: { summary: '# Result\n\n- fixed the bug\n- added a test\n\nSee [the PR](https://example.com/pr/1)' }, strategy: 'markdown', paths: ['/summary'] },
  { name: 'array of scalars', data: { tags: ['alpha', 'beta', 'gamma'] }, strategy: 'list', paths: ['/tags'] },
  { name: 'flat object of scalars', data: { file: 'README.md', ok: true, mode: 'write' }, strategy: 'key_value', paths: ['/file', '/ok', '/mode'] },
  { name: 'deep mixed payload', data: { a: { b: { c: [1, { d: 'x' }] } }, e: [{ f: 1 }, 'g', 3], h: { i: {} } }, strategy: 'json', paths: [''] },
];

describe.each(BACKENDS)('built-in rendering on %s', (backend) => {
  const ctx = useApp(backend);

  it.each(SHAPES)('$name → $strategy', async ({ data, strategy, paths }) => {
    const t = await createTenant(ctx);
    const activity = await renderOf(ctx, t.keys.both, data);
    expect(activity.processing_status).toBe('COMPLETED');
    expect(activity.processing_error).toBeNull();
    expect(activity.processed_at).toEqual(expect.any(String));
    const render = activity.schema_render;
    expect(render).toMatchObject({ version: 1, strategy, analyzer: 'builtin', fingerprint: expect.any(String), title: expect.any(String) });
    for (const f of render.fields) expect(f).toEqual({ path: expect.any(String), label: expect.any(String), format: expect.any(String) });
    // Stored as jsonb, a payload's keys come back in jsonb's order, so fields are compared as a set.
    if (paths) expect(render.fields.map((f: { path: string }) => f.path).sort()).toEqual([...paths].sort());
    const byRoute = await call(ctx, t.keys.read, 'GET', `/activities/${activity.id}/render`);
    expect(byRoute.status).toBe(200);
    expect(byRoute.body).toEqual(render);
  });

  it('uses data_schema titles and formats', async () => {
    const t = await createTenant(ctx);
    const activity = await renderOf(ctx, t.keys.both, { rows: [{ when: 'yesterday', n: 1 }] }, {
      data_schema: { title: 'Deploys', type: 'object', properties: { rows: { type: 'array', title: 'Deploy log', items: { type: 'object', properties: { when: { type: 'string', title: 'When' }, n: { type: 'integer', title: 'Count' } } } } } },
    });
    expect(activity.schema_render).toMatchObject({ strategy: 'table', title: 'Deploy log' });
    expect(activity.schema_render.fields).toEqual(expect.arrayContaining([{ path: '/rows/0/when', label: 'When', format: 'text' }, { path: '/rows/0/n', label: 'Count', format: 'integer' }]));
    expect(activity.schema_render.fields).toHaveLength(2);
  });

  it('an activity without a payload is SKIPPED at once, and has nothing to render or retry', async () => {
    const t = await createTenant(ctx);
    for (const data of [undefined, {}]) {
      const created = await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'Ping', ...(data ? { data } : {}) });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ processing_status: 'SKIPPED', schema_render: null, processing_attempts: 0 });
      const render = await call(ctx, t.keys.read, 'GET', `/activities/${created.body.id}/render`);
      expect(render.status).toBe(409);
      expect(render.body).toMatchObject({ error: 'not_rendered', details: { processing_status: 'SKIPPED' } });
      const retry = await call(ctx, t.keys.ingest, 'POST', `/activities/${created.body.id}/retry`);
      expect(retry.status).toBe(409);
    }
  });

  it('a payload is PENDING when its write commits (REST, /ingest and the hook route alike)', async () => {
    const t = await createTenant(ctx);
    const rest = await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'Edit', data: { file: 'a.ts' } });
    expect(['PENDING', 'PROCESSING', 'COMPLETED']).toContain(rest.body.processing_status);
    const rows = await ctx.db.query<{ id: string; processing_status: string }>(
      `SELECT id, processing_status FROM activities WHERE tenant_id = $1`, [t.tenantId]);
    expect(rows.rows.every((r) => r.processing_status !== 'NOT_PROCESSED')).toBe(true);
    const ingest = await call(ctx, t.keys.ingest, 'POST', '/ingest', { items: [{ type: 'activity.create', id: 'ing-1', body: { action_name: 'Read', data: { path: 'x' } } }] });
    expect(ingest.body.results[0].status).toBe(201);
    const hook = await call(ctx, t.keys.ingest, 'POST', '/hooks/claude-code', {
      session_id: 's-1', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_use_id: 'tu-1', tool_input: { command: 'ls -la' },
    });
    expect(hook.status).toBe(201);
    const hookActivity = (await call(ctx, t.keys.read, 'GET', '/activities?session_id=s-1')).body.activities[0];
    for (const id of ['ing-1', hookActivity.id]) {
      const done = await settled(ctx, t.keys.read, id);
      expect(done.processing_status).toBe('COMPLETED');
      expect(done.schema_render.analyzer).toBe('builtin');
    }
  });

  it('a data_schema that is not a JSON Schema is a 400 naming the field (REST and /ingest items)', async () => {
    const t = await createTenant(ctx);
    const bad = { type: 'strin' };
    const rest = await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'X', data: { a: 1 }, data_schema: bad });
    expect(rest.status).toBe(400);
    expect(rest.body).toMatchObject({ error: 'validation_error', details: { field: 'data_schema' } });
    expect(rest.body.message).toMatch(/^data_schema is not a valid JSON Schema/);
    const worse = await call(ctx, t.keys.both, 'POST', '/activities', { action_name: 'X', data: { a: 1 }, data_schema: { properties: { a: { minimum: 'ten' } } } });
    expect(worse.status).toBe(400);
    const ingest = await call(ctx, t.keys.ingest, 'POST', '/ingest', {
      items: [
        { type: 'activity.create', id: 'ok-1', body: { action_name: 'X', data: { a: 1 }, data_schema: { type: 'object' } } },
        { type: 'activity.create', id: 'bad-1', body: { action_name: 'X', data: { a: 1 }, data_schema: bad } },
      ],
    });
    expect(ingest.body.results.map((r: { status: number }) => r.status)).toEqual([201, 400]);
    expect(ingest.body.results[1]).toMatchObject({ error: 'validation_error', message: expect.stringMatching(/^items\[1\]\.body\.data_schema is not a valid JSON Schema/) });
    const stored = await call(ctx, t.keys.read, 'GET', '/activities/bad-1');
    expect(stored.status).toBe(404);
  });

  it('status route, force retry that bypasses the cache, 409 while pending, other tenants 404, scopes', async () => {
    const t = await createTenant(ctx);
    const other = await createTenant(ctx);
    const activity = await renderOf(ctx, t.keys.both, { n: 1, m: 2 });
    const status = await call(ctx, t.keys.read, 'GET', `/activities/${activity.id}/processing`);
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ id: activity.id, processing_status: 'COMPLETED', processed_at: activity.processed_at, processing_attempts: 1, processing_error: null });

    const notForced = await call(ctx, t.keys.ingest, 'POST', `/activities/${activity.id}/retry`);
    expect(notForced.status).toBe(409);
    expect(notForced.body).toMatchObject({ error: 'already_completed', details: { processing_status: 'COMPLETED' } });
    const forced = await call(ctx, t.keys.ingest, 'POST', `/activities/${activity.id}/retry?force=true`);
    expect(forced.status).toBe(202);
    expect(forced.body.processing_status).toBe('PENDING');
    const again = await settled(ctx, t.keys.read, activity.id);
    expect(again).toMatchObject({ processing_status: 'COMPLETED', processing_attempts: 2 });
    expect(again.schema_render).toEqual(activity.schema_render);

    for (const path of ['processing', 'render']) {
      expect((await call(ctx, other.keys.both, 'GET', `/activities/${activity.id}/${path}`)).status).toBe(404);
      expect((await call(ctx, t.keys.ingest, 'GET', `/activities/${activity.id}/${path}`)).status).toBe(403);
    }
    expect((await call(ctx, other.keys.both, 'POST', `/activities/${activity.id}/retry?force=true`)).status).toBe(404);
    expect((await call(ctx, t.keys.read, 'POST', `/activities/${activity.id}/retry?force=true`)).status).toBe(403);
    expect((await call(ctx, t.keys.read, 'GET', '/activities/nope/processing')).status).toBe(404);
  });

  it('409 already_processing while PENDING', async () => {
    const t = await createTenant(ctx);
    // A row left PENDING with its retry not yet due: nothing claims it during this test.
    await call(ctx, t.keys.both, 'POST', '/activities', { id: 'wait-1', action_name: 'X', data: { a: 'b' } });
    await settled(ctx, t.keys.read, 'wait-1');
    await ctx.db.query(`UPDATE activities SET processing_status = 'PENDING', processing_after = now() + interval '1 hour' WHERE tenant_id = $1 AND id = 'wait-1'`, [t.tenantId]);
    const retry = await call(ctx, t.keys.ingest, 'POST', '/activities/wait-1/retry?force=true');
    expect(retry.status).toBe(409);
    expect(retry.body).toMatchObject({ error: 'already_processing', details: { processing_status: 'PENDING' } });
    const render = await call(ctx, t.keys.read, 'GET', '/activities/wait-1/render');
    expect(render.status).toBe(200); // the render it had stays readable meanwhile
  });

  it('the batch path: many activities of a few shapes through /ingest all complete, one cache row per shape and tenant', async () => {
    const t = await createTenant(ctx);
    const shapes = [
      (i: number) => ({ files: [{ path: `f${i}.ts`, lines: i }] }),
      (i: number) => ({ tokens: i, cost_usd: i / 100 }),
      (i: number) => ({ tags: [`t${i}`] }),
      (i: number) => ({ command: `ls ${i}`, exit_code: 0, ok: true }),
    ];
    const items = Array.from({ length: 400 }, (_, i) => ({ type: 'activity.create', id: `b-${i}`, body: { action_name: 'Bulk', data: shapes[i % shapes.length]!(i) } }));
    const res = await call(ctx, t.keys.ingest, 'POST', '/ingest', { items });
    expect(res.body.results.every((r: { status: number }) => r.status === 201)).toBe(true);
    const { eventually } = await import('./rendering-helpers.ts');
    const counts = await eventually(
      async () => (await ctx.db.query<{ status: string; n: number }>(
        `SELECT processing_status AS status, count(*)::int AS n FROM activities WHERE tenant_id = $1 GROUP BY 1`, [t.tenantId])).rows,
      (rows) => rows.length === 1 && rows[0]!.status === 'COMPLETED',
    );
    expect(counts).toEqual([{ status: 'COMPLETED', n: 400 }]);
    const strategies = await ctx.db.query<{ strategy: string; n: number }>(
      `SELECT (${renderSql('a')})->>'strategy' AS strategy, count(*)::int AS n FROM activities a WHERE tenant_id = $1 GROUP BY 1 ORDER BY 1`, [t.tenantId]);
    expect(strategies.rows).toEqual([{ strategy: 'key_value', n: 100 }, { strategy: 'list', n: 100 }, { strategy: 'metric', n: 100 }, { strategy: 'table', n: 100 }]);
    const cache = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM render_cache WHERE tenant_id = $1`, [t.tenantId]);
    expect(cache.rows[0]!.n).toBe(4);
  });

  it('every activity body carries its processing fields (list, catch-up, feeds) and /metrics shows rendering', async () => {
    const t = await createTenant(ctx);
    const activity = await renderOf(ctx, t.keys.both, { tokens: 3 });
    const list = await call(ctx, t.keys.read, 'GET', '/activities?after_seq=0');
    expect(list.body.activities[0]).toMatchObject({ id: activity.id, processing_status: 'COMPLETED', processing_attempts: 1, processing_error: null, schema_render: { strategy: 'metric' } });
    const run = await call(ctx, t.keys.both, 'POST', '/runs', { id: 'r-1', work_unit_name: 'Agent' });
    expect(run.status).toBe(201);
    const team = await call(ctx, t.keys.read, 'GET', '/activity/team');
    expect(team.body[0]).toHaveProperty('processing_status');
    expect(team.body[0]).toHaveProperty('schema_render');
    expect(team.body[0]).toHaveProperty('processing_attempts');
    const metrics = await call(ctx, null, 'GET', '/metrics');
    expect(metrics.text).toMatch(/runlog_render_queue_depth\{status="pending"\} \d+/);
    expect(metrics.text).toMatch(/runlog_renders_total\{analyzer="builtin",strategy="metric",outcome="(completed|cached)"\} \d+/);
    expect(metrics.text).toMatch(/runlog_render_duration_seconds_bucket\{le="[^"]+",analyzer="builtin"\}/);
  });
});

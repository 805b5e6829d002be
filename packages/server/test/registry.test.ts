import { describe, expect, it } from 'vitest';
import type { Queryable } from '../src/db/database.ts';
import { listWorkUnitRuns } from '../src/domain/registry/registry.repository.ts';
import { BACKENDS, call, createTenant, useApp, type TestContext, type TestTenant } from './helpers.ts';

const UNIT = {
  id: 'restart-unhealthy-1.0.0',
  name: 'restart-unhealthy',
  version: '1.0.0',
  kind: 'workflow',
  type: 'composite',
  author: 'DevOps Team',
  description: 'Restarts unhealthy pods',
  metadata: { team: 'sre' },
  limits: { max_cost_usd: 2.5, max_tokens: 100000, max_duration_ms: 60000 },
  executor: { type: 'webhook', url: 'https://runner.example.com/hooks/run', secret: 's3cret-value' },
};

async function register(ctx: TestContext, t: TestTenant, body: Record<string, unknown>) {
  return call(ctx, t.keys.ingest, 'POST', '/work-units', body);
}

describe.each(BACKENDS)('work-unit registry on %s', (backend) => {
  const ctx = useApp(backend);

  it('registers, reads, lists, patches and deletes a unit; the secret is never returned', async () => {
    const t = await createTenant(ctx);
    const created = await register(ctx, t, UNIT);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      ...UNIT,
      executor: { type: 'webhook', url: UNIT.executor.url, has_secret: true },
      latest_run_id: null, latest_run_status: null, latest_run_at: null, total_runs: 0,
    });
    expect(created.body).not.toHaveProperty('tenant_id');
    expect(created.text).not.toContain('s3cret-value');

    const got = await call(ctx, t.keys.read, 'GET', `/work-units/${UNIT.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    expect(got.text).not.toContain('s3cret-value');

    const minimal = await register(ctx, t, { id: 'triage', name: 'Triage' });
    expect(minimal.status).toBe(201);
    expect(minimal.body).toMatchObject({ id: 'triage', kind: 'agent', type: 'atomic', version: null, metadata: {}, limits: {}, executor: null });

    const list = await call(ctx, t.keys.read, 'GET', '/work-units');
    expect(list.status).toBe(200);
    expect(list.body.work_units.map((u: { id: string }) => u.id)).toEqual([UNIT.id, 'triage']);
    expect(list.body.next_cursor).toBeNull();
    expect(list.text).not.toContain('s3cret-value');

    // An executor without `secret` keeps the stored one; the URL changes.
    const patched = await call(ctx, t.keys.ingest, 'PATCH', `/work-units/${UNIT.id}`, {
      description: null, limits: { max_tokens: 5000 }, executor: { type: 'webhook', url: 'http://10.0.0.5:8080/run' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      description: null, limits: { max_tokens: 5000 }, name: UNIT.name,
      executor: { type: 'webhook', url: 'http://10.0.0.5:8080/run', has_secret: true },
    });
    const { rows } = await ctx.db.query<{ executor: { secret?: string } }>(
      `SELECT executor FROM work_units WHERE tenant_id = $1 AND id = $2`, [t.tenantId, UNIT.id],
    );
    expect(rows[0]!.executor.secret).toBe('s3cret-value');
    const noSecret = await call(ctx, t.keys.ingest, 'PATCH', `/work-units/${UNIT.id}`, { executor: { type: 'webhook', url: 'https://a.example/x', secret: null } });
    expect(noSecret.body.executor).toEqual({ type: 'webhook', url: 'https://a.example/x', has_secret: false });
    const cleared = await call(ctx, t.keys.ingest, 'PATCH', `/work-units/${UNIT.id}`, { executor: null });
    expect(cleared.body.executor).toBeNull();

    // Delete needs admin; the unit's runs stay with their work_unit_id.
    await call(ctx, t.keys.ingest, 'POST', '/runs', { id: 'kept-run', work_unit_id: 'triage' });
    const forbidden = await call(ctx, t.keys.ingest, 'DELETE', '/work-units/triage');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ error: 'forbidden', details: { required_scope: 'admin' } });
    const deleted = await call(ctx, t.keys.admin, 'DELETE', '/work-units/triage');
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await call(ctx, t.keys.read, 'GET', '/work-units/triage')).status).toBe(404);
    expect((await call(ctx, t.keys.admin, 'DELETE', '/work-units/triage')).status).toBe(404);
    const run = await call(ctx, t.keys.read, 'GET', '/runs/kept-run');
    expect(run.body).toMatchObject({ id: 'kept-run', work_unit_id: 'triage' });

    // Registered again, the unit counts the runs recorded under its id.
    const again = await register(ctx, t, { id: 'triage', name: 'Triage v2' });
    expect(again.body).toMatchObject({ total_runs: 1, latest_run_id: 'kept-run', latest_run_status: 'pending' });
  });

  it('answers 409 for a duplicate id, in the tenant only', async () => {
    const t = await createTenant(ctx);
    expect((await register(ctx, t, { id: 'dup', name: 'A' })).status).toBe(201);
    const dup = await register(ctx, t, { id: 'dup', name: 'B' });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ error: 'work_unit_exists', message: 'work unit dup is already registered', details: { work_unit_id: 'dup' } });
    expect((await call(ctx, t.keys.read, 'GET', '/work-units/dup')).body.name).toBe('A');
    const other = await createTenant(ctx);
    expect((await register(ctx, other, { id: 'dup', name: 'C' })).status).toBe(201);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const t = await createTenant(ctx);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id: 'a', name: 'A', limits: { max_cost_usd: 0 } }, 'limits.max_cost_usd'],
      [{ id: 'a', name: 'A', limits: { max_tokens: -5 } }, 'limits.max_tokens'],
      [{ id: 'a', name: 'A', limits: { max_duration_ms: 1.5 } }, 'limits.max_duration_ms'],
      [{ id: 'a', name: 'A', limits: { max_cost_usd: 'ten' } }, 'limits.max_cost_usd'],
      [{ id: 'a', name: 'A', limits: { max_calls: 3 } }, 'limits.max_calls'],
      [{ id: 'a', name: 'A', executor: { type: 'webhook', url: 'ftp://files.example.com/run' } }, 'executor.url'],
      [{ id: 'a', name: 'A', executor: { type: 'webhook', url: 'not a url' } }, 'executor.url'],
      [{ id: 'a', name: 'A', executor: { type: 'webhook', url: 'http://' } }, 'executor.url'],
      [{ id: 'a', name: 'A', executor: { type: 'webhook' } }, 'executor.url'],
      [{ id: 'a', name: 'A', executor: { type: 'queue', url: 'https://x.example' } }, 'executor.type'],
      [{ id: 'a', name: 'A', executor: { type: 'webhook', url: 'https://x.example', secret: '' } }, 'executor.secret'],
      [{ id: 'a', name: 'A', kind: 'robot' }, 'kind'],
      [{ id: 'a', name: 'A', type: 'molecular' }, 'type'],
      [{ id: 'has/slash', name: 'A' }, 'id'],
      [{ id: 'a' }, 'name'],
      [{ id: 'a', name: 'A', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await register(ctx, t, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body, JSON.stringify(body)).toMatchObject({ error: 'validation_error', details: { field } });
      expect(res.body.message).toContain(field);
    }
    expect((await call(ctx, t.keys.read, 'GET', '/work-units')).body.work_units).toEqual([]);

    await register(ctx, t, { id: 'ok', name: 'OK' });
    const emptyPatch = await call(ctx, t.keys.ingest, 'PATCH', '/work-units/ok', {});
    expect(emptyPatch.status).toBe(400);
    const badPatch = await call(ctx, t.keys.ingest, 'PATCH', '/work-units/ok', { limits: { max_tokens: 0 } });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.details.field).toBe('limits.max_tokens');
    const badUrl = await call(ctx, t.keys.ingest, 'PATCH', '/work-units/ok', { executor: { type: 'webhook', url: 'javascript:alert(1)' } });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.details.field).toBe('executor.url');
  });

  it('lists by kind and type with a cursor', async () => {
    const t = await createTenant(ctx);
    for (const [id, kind] of [['w1', 'workflow'], ['a1', 'agent'], ['w2', 'workflow'], ['p1', 'pipeline'], ['w3', 'workflow']]) {
      await register(ctx, t, { id, name: id, kind });
    }
    const first = await call(ctx, t.keys.read, 'GET', '/work-units?kind=workflow&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.work_units.map((u: { id: string }) => u.id)).toEqual(['w1', 'w2']);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await call(ctx, t.keys.read, 'GET', `/work-units?kind=workflow&limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.work_units.map((u: { id: string }) => u.id)).toEqual(['w3']);
    expect(second.body.next_cursor).toBeNull();
    const byType = await call(ctx, t.keys.read, 'GET', '/work-units?type=composite');
    expect(byType.body.work_units).toEqual([]);
    const tooMany = await call(ctx, t.keys.read, 'GET', '/work-units?limit=201');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.details.field).toBe('limit');
    const badCursor = await call(ctx, t.keys.read, 'GET', '/work-units?cursor=nonsense');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.details.field).toBe('cursor');
  });

  it('pages run history newest first with seed 003\'s body, on both paths', async () => {
    const t = await createTenant(ctx);
    await register(ctx, t, { id: 'hist', name: 'History', kind: 'workflow' });
    const base = Date.now() - 3_600_000;
    for (let i = 0; i < 25; i++) {
      const started = new Date(base + i * 1000).toISOString();
      const res = await call(ctx, t.keys.ingest, 'POST', '/work-units/hist/runs/notify', { run_id: `h-${String(i).padStart(2, '0')}`, status: 'running', started_at: started });
      expect(res.status).toBe(200);
    }
    const page1 = await call(ctx, t.keys.read, 'GET', '/work-units/hist/runs');
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ workflow_id: 'hist', page: 1, limit: 20, total: 25 });
    expect(page1.body.runs).toHaveLength(20);
    expect(page1.body.runs[0]).toEqual({
      run_id: 'h-24', status: 'running', started_at: new Date(base + 24_000).toISOString(), completed_at: null,
      duration_ms: null, error: null, created_at: expect.any(String),
    });
    expect(page1.body.runs.map((r: { run_id: string }) => r.run_id).slice(0, 3)).toEqual(['h-24', 'h-23', 'h-22']);

    const page2 = await call(ctx, t.keys.read, 'GET', '/work-units/hist/runs?limit=10&page=3');
    expect(page2.body).toMatchObject({ workflow_id: 'hist', page: 3, limit: 10, total: 25 });
    expect(page2.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual(['h-04', 'h-03', 'h-02', 'h-01', 'h-00']);

    const past = await call(ctx, t.keys.read, 'GET', '/work-units/hist/runs?limit=10&page=4');
    expect(past.status).toBe(200);
    expect(past.body).toEqual({ workflow_id: 'hist', runs: [], page: 4, limit: 10, total: 25 });

    const alias = await call(ctx, t.keys.read, 'GET', '/workflows/hist/runs?limit=10&page=3');
    expect(alias.status).toBe(200);
    expect(alias.body).toEqual(page2.body);

    for (const [query, field] of [['limit=101', 'limit'], ['limit=0', 'limit'], ['page=0', 'page'], ['limit=abc', 'limit'], ['page=-1', 'page'], ['sort=asc', 'sort']]) {
      const res = await call(ctx, t.keys.read, 'GET', `/work-units/hist/runs?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body, query).toMatchObject({ error: 'validation_error', details: { field } });
    }
    const max = await call(ctx, t.keys.read, 'GET', '/work-units/hist/runs?limit=100');
    expect(max.body).toMatchObject({ limit: 100, total: 25 });
    expect(max.body.runs).toHaveLength(25);
  });

  it('answers 404 for an unknown unit and for another tenant\'s unit on every route', async () => {
    const owner = await createTenant(ctx);
    const stranger = await createTenant(ctx);
    await register(ctx, owner, { id: 'private-unit', name: 'Private' });
    await call(ctx, owner.keys.ingest, 'POST', '/work-units/private-unit/runs/notify', { run_id: 'p-run', status: 'running' });

    for (const [t, id] of [[owner, 'no-such-unit'], [stranger, 'private-unit']] as const) {
      const routes: Array<[string, 'GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown?]> = [
        [t.keys.read, 'GET', `/work-units/${id}`],
        [t.keys.ingest, 'PATCH', `/work-units/${id}`, { name: 'Taken' }],
        [t.keys.admin, 'DELETE', `/work-units/${id}`],
        [t.keys.read, 'GET', `/work-units/${id}/runs`],
        [t.keys.read, 'GET', `/workflows/${id}/runs`],
        [t.keys.ingest, 'POST', `/work-units/${id}/runs/notify`, { run_id: 'x-run', status: 'completed' }],
        [t.keys.ingest, 'POST', `/workflows/${id}/runs/notify`, { run_id: 'x-run', status: 'completed' }],
      ];
      for (const [key, method, url, body] of routes) {
        const res = await call(ctx, key, method, url, body);
        expect(res.status, `${method} ${url}`).toBe(404);
        expect(res.body, `${method} ${url}`).toEqual({ error: 'not_found', message: `work_unit ${id} was not found`, details: { work_unit_id: id } });
      }
    }
    // Nothing leaked across: the stranger sees no units, the owner's unit is untouched.
    expect((await call(ctx, stranger.keys.read, 'GET', '/work-units')).body.work_units).toEqual([]);
    expect((await call(ctx, stranger.keys.read, 'GET', '/runs/x-run')).status).toBe(404);
    const unit = await call(ctx, owner.keys.read, 'GET', '/work-units/private-unit');
    expect(unit.body).toMatchObject({ name: 'Private', total_runs: 1, latest_run_id: 'p-run' });
  });

  it('pages a unit\'s history from runs_work_unit_time_idx, newest first without a sort', async () => {
    const t = await createTenant(ctx);
    const plan = await ctx.db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      // The repository's own statement, explained instead of run.
      const explain: Queryable = { query: (text, params) => tx.query(`EXPLAIN ${text}`, params), exec: (text) => tx.exec(text) };
      const rows = (await listWorkUnitRuns(explain, t.tenantId, 'unit', 20, 40)) as unknown as Array<Record<string, string>>;
      return rows.map((r) => Object.values(r)[0]).join('\n');
    });
    expect(plan).toContain('runs_work_unit_time_idx');
    expect(plan).not.toMatch(/Sort/);
  });

  it('describes the registry routes in the OpenAPI document', async () => {
    const doc = (await call(ctx, null, 'GET', '/openapi.json')).body;
    for (const path of ['/api/v1/work-units', '/api/v1/work-units/{id}', '/api/v1/work-units/{id}/runs', '/api/v1/work-units/{id}/runs/notify',
      '/api/v1/workflows/{id}/runs', '/api/v1/workflows/{id}/runs/notify']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(Object.keys(doc.paths['/api/v1/work-units/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
  });

  it('needs read to read and ingest to write', async () => {
    const t = await createTenant(ctx);
    expect((await call(ctx, null, 'GET', '/work-units')).status).toBe(401);
    const readOnly = await call(ctx, t.keys.read, 'POST', '/work-units', { id: 'r', name: 'R' });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.details.required_scope).toBe('ingest');
    const ingestOnly = await call(ctx, t.keys.ingest, 'GET', '/work-units');
    expect(ingestOnly.status).toBe(403);
    const notify = await call(ctx, t.keys.read, 'POST', '/workflows/r/runs/notify', { run_id: 'a', status: 'running' });
    expect(notify.status).toBe(403);
  });
});

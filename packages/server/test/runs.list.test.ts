import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';

type Run = { id: string };

describe.each(BACKENDS)('listing runs on %s', (backend) => {
  const ctx = useApp(backend);

  it('applies every filter', async () => {
    const t = await createTenant(ctx);
    const make = (id: string, extra: Record<string, unknown>) => call(ctx, t.keys.both, 'POST', '/runs', { id, ...extra });
    await make('a', { project_id: 'p1', work_unit_id: 'w1', agent_id: 'ag1', source: 'sdk', provider_type: 'openai', user_id: 'u1', status: 'running', started_at: '2025-01-01T10:00:00Z' });
    await make('b', { project_id: 'p2', work_unit_id: 'w2', agent_id: 'ag2', source: 'otlp', provider_type: 'anthropic', user_id: 'u2', status: 'running', started_at: '2025-01-02T10:00:00Z' });
    await make('c', { project_id: 'p1', work_unit_id: 'w2', user_id: 'u1' });
    await call(ctx, t.keys.both, 'POST', '/runs/b/fail', { error: 'x' });
    await ctx.db.query(`UPDATE runs SET risk_level = 'AT_RISK', latency_bucket = 'SLOW' WHERE tenant_id = $1 AND id = 'a'`, [t.tenantId]);
    await ctx.db.query(`UPDATE runs SET risk_level = 'VIOLATED' WHERE tenant_id = $1 AND id = 'b'`, [t.tenantId]);

    const ids = async (query: string) => ((await call(ctx, t.keys.read, 'GET', `/runs?${query}`)).body.runs as Run[]).map((r) => r.id).sort();
    expect(await ids('')).toEqual(['a', 'b', 'c']);
    expect(await ids('status=running')).toEqual(['a']);
    expect(await ids('status=running&status=pending')).toEqual(['a', 'c']);
    expect(await ids('state=COMPLETED')).toEqual(['b']);
    expect(await ids('state=LIVE')).toEqual(['a', 'c']);
    expect(await ids('risk_level=AT_RISK&risk_level=VIOLATED')).toEqual(['a', 'b']);
    expect(await ids('risk_level=VIOLATED')).toEqual(['b']);
    expect(await ids('latency_bucket=SLOW')).toEqual(['a']);
    expect(await ids('project_id=p1')).toEqual(['a', 'c']);
    expect(await ids('work_unit_id=w2')).toEqual(['b', 'c']);
    expect(await ids('agent_id=ag1')).toEqual(['a']);
    expect(await ids('source=otlp')).toEqual(['b']);
    expect(await ids('provider_type=openai')).toEqual(['a']);
    expect(await ids('user_id=u1')).toEqual(['a', 'c']);
    expect(await ids('started_after=2025-01-01T12:00:00Z')).toEqual(['b']);
    expect(await ids('started_before=2025-01-01T12:00:00Z')).toEqual(['a']);
    expect(await ids('started_after=2025-01-01T00:00:00Z&started_before=2025-01-03T00:00:00Z&project_id=p2')).toEqual(['b']);
    expect((await call(ctx, t.keys.read, 'GET', '/runs?started_after=2025-02-01T00:00:00Z&started_before=2025-01-01T00:00:00Z')).status).toBe(400);
  });

  it('pages with a cursor without duplicates or gaps while runs are being inserted', async () => {
    const t = await createTenant(ctx);
    const initial = Array.from({ length: 57 }, (_, i) => `init-${String(i).padStart(3, '0')}`);
    // Several runs share a created_at millisecond (one transaction each, but fast): the id breaks ties.
    for (let i = 0; i < initial.length; i += 10) {
      await Promise.all(initial.slice(i, i + 10).map((id) => call(ctx, t.keys.both, 'POST', '/runs', { id })));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let inserted = 0;
    do {
      const page: { status: number; body: { runs: Run[]; next_cursor: string | null } } =
        await call(ctx, t.keys.read, 'GET', `/runs?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.runs.length).toBeLessThanOrEqual(7);
      seen.push(...page.body.runs.map((r) => r.id));
      cursor = page.body.next_cursor;
      // New runs arrive between pages; they sort before the first page and must not shift later pages.
      await Promise.all([0, 1, 2].map(() => call(ctx, t.keys.both, 'POST', '/runs', { id: `late-${inserted++}` })));
    } while (cursor);

    const initialSeen = seen.filter((id) => id.startsWith('init-'));
    expect(new Set(seen).size).toBe(seen.length);
    expect(initialSeen.sort()).toEqual(initial);
    expect(seen.filter((id) => id.startsWith('late-'))).toEqual([]);
  });

  it('caps the page length', async () => {
    const t = await createTenant(ctx);
    expect((await call(ctx, t.keys.read, 'GET', '/runs?limit=500')).status).toBe(200);
    const tooMany = await call(ctx, t.keys.read, 'GET', '/runs?limit=501');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain('limit');
    const defaults = await call(ctx, t.keys.read, 'GET', '/runs');
    expect(defaults.body).toEqual({ runs: [], next_cursor: null });
  });
});

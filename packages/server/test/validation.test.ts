import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';

describe.each(BACKENDS)('bad input on %s', (backend) => {
  const ctx = useApp(backend, { bodyLimitBytes: 64 * 1024 });

  const cases: Array<[string, string, string, unknown, string]> = [
    // [what, method+path, field expected in the message, body, path]
    ['wrong type', 'POST', 'work_unit_name', { work_unit_name: 42 }, '/runs'],
    ['boolean as string', 'POST', 'is_synthetic', { is_synthetic: 'yes' }, '/runs'],
    ['unknown status', 'POST', 'status', { status: 'done' }, '/runs'],
    ['unknown field', 'POST', 'colour', { colour: 'red' }, '/runs'],
    ['bad timestamp', 'POST', 'started_at', { status: 'running', started_at: 'yesterday' }, '/runs'],
    ['future timestamp', 'POST', 'started_at', { status: 'running', started_at: '2999-01-01T00:00:00Z' }, '/runs'],
    ['started_at on a pending run', 'POST', 'started_at', { started_at: '2020-01-01T00:00:00Z' }, '/runs'],
    ['id with spaces', 'POST', 'id', { id: 'a b' }, '/runs'],
    ['negative tokens', 'POST', 'input_tokens', { input_tokens: -1 }, '/runs/v/complete'],
    ['fractional tokens', 'POST', 'output_tokens', { output_tokens: 1.5 }, '/runs/v/complete'],
    ['tokens as string', 'POST', 'output_tokens', { output_tokens: '12' }, '/runs/v/complete'],
    ['negative cost', 'POST', 'estimated_cost_usd', { estimated_cost_usd: -0.1 }, '/runs/v/complete'],
    ['cache larger than input', 'POST', 'cache_read_tokens', { input_tokens: 10, cache_read_tokens: 11 }, '/runs/v/complete'],
    ['reasoning larger than output', 'POST', 'reasoning_tokens', { output_tokens: 1, reasoning_tokens: 2 }, '/runs/v/complete'],
    ['completed before started', 'POST', 'completed_at', { completed_at: '2001-01-01T00:00:00Z' }, '/runs/v/complete'],
    ['steps not an array', 'POST', 'steps', { steps: {} }, '/runs/v/steps'],
    ['empty steps', 'POST', 'steps', { steps: [] }, '/runs/v/steps'],
    ['step without index', 'POST', 'steps[0].step_index', { steps: [{ kind: 'llm' }] }, '/runs/v/steps'],
    ['negative step index', 'POST', 'steps[1].step_index', { steps: [{ step_index: 0 }, { step_index: -2 }] }, '/runs/v/steps'],
    ['unknown step kind', 'POST', 'steps[0].kind', { steps: [{ step_index: 0, kind: 'magic' }] }, '/runs/v/steps'],
    ['too many steps', 'POST', 'steps', { steps: Array.from({ length: 1001 }, (_, i) => ({ step_index: i })) }, '/runs/v/steps'],
  ];

  it.each(cases)('%s → 400 naming the field', async (_what, method, field, body, path) => {
    const t = await createTenant(ctx);
    await call(ctx, t.keys.both, 'POST', '/runs', { id: 'v', status: 'running' });
    const res = await call(ctx, t.keys.both, method as 'POST', path, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_error');
    expect(res.body.message).toContain(field);
    expect(res.text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('refuses bad query parameters with 400 naming them', async () => {
    const t = await createTenant(ctx);
    for (const [query, field] of [
      ['status=finished', 'status'],
      ['limit=0', 'limit'],
      ['limit=100000', 'limit'],
      ['started_after=last-week', 'started_after'],
      ['risk_level=HIGH', 'risk_level'],
      ['cursor=bm9wZQ', 'cursor'],
      ['colour=red', 'colour'],
    ]) {
      const res = await call(ctx, t.keys.both, 'GET', `/runs?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.message, query).toContain(field);
    }
  });

  it('answers 413 for an oversized body, 400 for broken JSON, 415 for another media type', async () => {
    const t = await createTenant(ctx);
    const big = await call(ctx, t.keys.both, 'POST', '/runs', { input_data: { blob: 'x'.repeat(70 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.body.error).toBe('payload_too_large');

    const broken = await ctx.app.inject({
      method: 'POST', url: '/api/v1/runs', payload: '{"id": ',
      headers: { authorization: `Bearer ${t.keys.both}`, 'content-type': 'application/json' },
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toBe('bad_request');

    const text = await ctx.app.inject({
      method: 'POST', url: '/api/v1/runs', payload: 'id=1',
      headers: { authorization: `Bearer ${t.keys.both}`, 'content-type': 'text/plain' },
    });
    expect(text.statusCode).toBe(415);
  });

  it('answers 404 with the error body for an unknown route', async () => {
    const res = await call(ctx, null, 'GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'not_found' });
  });
});

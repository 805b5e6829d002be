import { describe, expect, it } from 'vitest';
import { costOf, likeToRegExp } from '../src/domain/pricing/cost.ts';
import { BACKENDS, call, createTenant, useApp, type TestContext, type TestTenant } from './helpers.ts';

async function finish(ctx: TestContext, t: TestTenant, run: Record<string, unknown>, usage: Record<string, unknown>) {
  const id = `cost-${Math.random().toString(36).slice(2)}`;
  const created = await call(ctx, t.keys.both, 'POST', '/runs', { id, status: 'running', ...run });
  expect(created.status).toBe(201);
  const done = await call(ctx, t.keys.both, 'POST', `/runs/${id}/complete`, usage);
  expect(done.status).toBe(200);
  return done.body;
}

describe('cost arithmetic', () => {
  const price = { id: 1, tenant_id: null, provider: 'x', model_pattern: 'm', input_per_mtok: 3, output_per_mtok: 15,
    cache_read_per_mtok: 0.3, cache_write_per_mtok: 3.75, reasoning_per_mtok: null, effective_from: new Date(0) };

  it('prices every token part once at its own rate', () => {
    // 1,000 plain input × 3 + 10,000 cache reads × 0.3 + 1,000 cache writes × 3.75
    // + 500 plain output × 15 + 300 reasoning × 15 (output rate) = 21,750 per million = 0.02175
    expect(costOf({ input_tokens: 12_000, cache_read_tokens: 10_000, cache_write_tokens: 1_000, output_tokens: 800, reasoning_tokens: 300 }, price)).toBe(0.02175);
    expect(costOf({ input_tokens: 0, output_tokens: 0, cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null }, price)).toBe(0);
  });

  it('matches LIKE patterns literally apart from % and _', () => {
    expect(likeToRegExp('gpt-4.1%').test('gpt-4.1-2025-04-14')).toBe(true);
    expect(likeToRegExp('gpt-4.1%').test('gpt-4x1')).toBe(false);
    expect(likeToRegExp('gpt-5').test('gpt-5-mini')).toBe(false);
  });
});

describe.each(BACKENDS)('run cost on %s', (backend) => {
  const ctx = useApp(backend);

  it('computes cost from the shipped prices, cached and reasoning tokens at their own price', async () => {
    const t = await createTenant(ctx);
    const claude = await finish(ctx, t, { provider_type: 'anthropic', model: 'claude-sonnet-4-5-20250929' },
      { input_tokens: 12_000, cache_read_tokens: 10_000, cache_write_tokens: 1_000, output_tokens: 800, reasoning_tokens: 300 });
    expect(claude).toMatchObject({ cost_source: 'computed', estimated_cost_usd: 0.02175 });

    // gpt-5: 20,000 × 1.25 + 80,000 cached × 0.125 + 500 × 10 + 1,500 reasoning × 10 = 55,000 per million.
    const gpt = await finish(ctx, t, { provider_type: 'openai' },
      { model: 'gpt-5', input_tokens: 100_000, cache_read_tokens: 80_000, output_tokens: 2_000, reasoning_tokens: 1_500 });
    expect(gpt).toMatchObject({ cost_source: 'computed', estimated_cost_usd: 0.055, model: 'gpt-5' });

    // Provider aliases (OpenTelemetry's gen_ai.system values) price the same: 1M × 0.30 + 1M × 2.50.
    const gemini = await finish(ctx, t, { provider_type: 'gcp.gemini', model: 'gemini-2.5-flash' }, { input_tokens: 1_000_000, output_tokens: 1_000_000 });
    expect(gemini).toMatchObject({ cost_source: 'computed', estimated_cost_usd: 2.8 });
  });

  it('keeps a reported cost, and says unknown (null, never 0) without a price or usage', async () => {
    const t = await createTenant(ctx);
    const reported = await finish(ctx, t, { provider_type: 'anthropic', model: 'claude-sonnet-4-5' }, { input_tokens: 10, output_tokens: 10, estimated_cost_usd: 0.5 });
    expect(reported).toMatchObject({ cost_source: 'reported', estimated_cost_usd: 0.5 });

    const unknownModel = await finish(ctx, t, { provider_type: 'local', model: 'my-llama' }, { input_tokens: 500, output_tokens: 20 });
    expect(unknownModel).toMatchObject({ cost_source: 'unknown', estimated_cost_usd: null, input_tokens: 500 });

    const noUsage = await finish(ctx, t, { provider_type: 'anthropic', model: 'claude-sonnet-4-5' }, {});
    expect(noUsage).toMatchObject({ cost_source: 'unknown', estimated_cost_usd: null });

    const wrongProvider = await finish(ctx, t, { provider_type: 'openai', model: 'claude-sonnet-4-5' }, { input_tokens: 5 });
    expect(wrongProvider.cost_source).toBe('unknown');
  });

  it('uses the price version in effect when the run started, and a tenant’s own price first', async () => {
    const t = await createTenant(ctx);
    const other = await createTenant(ctx);
    const add = (body: Record<string, unknown>) => call(ctx, t.keys.admin, 'POST', '/prices', body);
    expect((await add({ provider: 'acme', model_pattern: 'acme-1%', input_per_mtok: 1, output_per_mtok: 1, effective_from: '2025-06-01T00:00:00Z' })).status).toBe(201);
    expect((await add({ provider: 'acme', model_pattern: 'acme-1%', input_per_mtok: 2, output_per_mtok: 2, effective_from: '2025-09-01T00:00:00Z' })).status).toBe(201);
    expect((await add({ provider: 'acme', model_pattern: 'acme-1%', input_per_mtok: 9, output_per_mtok: 9, effective_from: '2025-09-01T00:00:00Z' })).status).toBe(409);

    const usage = { input_tokens: 1_000_000 };
    const before = await finish(ctx, t, { provider_type: 'acme', model: 'acme-1-large', started_at: '2025-05-01T00:00:00Z' }, usage);
    const summer = await finish(ctx, t, { provider_type: 'acme', model: 'acme-1-large', started_at: '2025-07-01T00:00:00Z' }, usage);
    const autumn = await finish(ctx, t, { provider_type: 'acme', model: 'acme-1-large', started_at: '2025-10-01T00:00:00Z' }, usage);
    expect([before.cost_source, summer.estimated_cost_usd, autumn.estimated_cost_usd]).toEqual(['unknown', 1, 2]);

    // The tenant's own price for a shipped model wins over the shipped one; other tenants keep the shipped price.
    await add({ provider: 'anthropic', model_pattern: 'claude-sonnet-4-5%', input_per_mtok: 1, output_per_mtok: 1, effective_from: '2025-01-01T00:00:00Z' });
    const own = await finish(ctx, t, { provider_type: 'anthropic', model: 'claude-sonnet-4-5' }, usage);
    const shipped = await finish(ctx, other, { provider_type: 'anthropic', model: 'claude-sonnet-4-5' }, usage);
    expect([own.estimated_cost_usd, shipped.estimated_cost_usd]).toEqual([1, 3]);

    const prices = await call(ctx, other.keys.read, 'GET', '/prices');
    expect(prices.body.prices.some((p: { provider: string }) => p.provider === 'acme')).toBe(false);
    expect(prices.body.prices.length).toBeGreaterThan(20);
    expect((await call(ctx, t.keys.both, 'POST', '/prices', { provider: 'a', model_pattern: 'b', input_per_mtok: 1, output_per_mtok: 1, effective_from: '2025-01-01T00:00:00Z' })).status).toBe(403);
  });
});

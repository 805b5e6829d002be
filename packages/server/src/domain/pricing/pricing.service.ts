import type { Database, Queryable } from '../../db/database.ts';
import { ConflictError } from '../../errors.ts';
import { isDatabaseError } from '../../db/database.ts';
import { costOf, hasUsage, likeToRegExp, normalizeProvider } from './cost.ts';
import * as repo from './pricing.repository.ts';
import type { PriceRow, Usage } from './pricing.types.ts';

export interface CostResult {
  estimated_cost_usd: number | null;
  cost_source: 'reported' | 'computed' | 'unknown';
}

/** Prices are read whole per tenant and kept for this long (they change rarely). */
const PRICE_CACHE_MS = 60_000;

export function createPricingService({ db }: { db: Database }) {
  const cache = new Map<string, { prices: (PriceRow & { match: RegExp })[]; until: number }>();

  async function pricesFor(tenantId: string, q: Queryable) {
    const hit = cache.get(tenantId);
    if (hit && hit.until > Date.now()) return hit.prices;
    const prices = (await repo.listPrices(q, tenantId)).map((p) => ({ ...p, match: likeToRegExp(p.model_pattern) }));
    cache.set(tenantId, { prices, until: Date.now() + PRICE_CACHE_MS });
    return prices;
  }

  /**
   * The price in effect at `at` for provider+model: the tenant's own rows first, then the
   * most specific (longest) pattern, then the newest effective_from not after `at`.
   */
  async function priceAt(tenantId: string, provider: string | null, model: string, at: Date, q: Queryable = db): Promise<PriceRow | null> {
    const wanted = normalizeProvider(provider);
    const candidates = (await pricesFor(tenantId, q)).filter(
      (p) => (wanted === null || p.provider === wanted) && p.effective_from <= at && p.match.test(model),
    );
    candidates.sort(
      (a, b) =>
        Number(a.tenant_id === null) - Number(b.tenant_id === null) ||
        b.model_pattern.length - a.model_pattern.length ||
        b.effective_from.getTime() - a.effective_from.getTime(),
    );
    return candidates[0] ?? null;
  }

  return {
    priceAt,

    /**
     * Reported cost wins; else tokens × price; else unknown with a NULL cost, never 0.
     * `q` is the caller's transaction when there is one.
     */
    async costFor(tenantId: string, run: { provider_type: string | null; model: string | null; at: Date; reported: number | null }, usage: Usage, q: Queryable = db): Promise<CostResult> {
      if (run.reported !== null) return { estimated_cost_usd: run.reported, cost_source: 'reported' };
      if (!run.model || !hasUsage(usage)) return { estimated_cost_usd: null, cost_source: 'unknown' };
      const price = await priceAt(tenantId, run.provider_type, run.model, run.at, q);
      if (!price) return { estimated_cost_usd: null, cost_source: 'unknown' };
      return { estimated_cost_usd: costOf(usage, price), cost_source: 'computed' };
    },

    list: (tenantId: string) => repo.listPrices(db, tenantId),

    async add(tenantId: string, price: Omit<PriceRow, 'id' | 'tenant_id'>): Promise<PriceRow> {
      try {
        const row = await repo.insertPrice(db, tenantId, { ...price, provider: normalizeProvider(price.provider)! });
        cache.delete(tenantId);
        return row;
      } catch (err) {
        if (isDatabaseError(err, '23505')) {
          throw new ConflictError('price_exists', 'a price for this provider, model_pattern and effective_from exists; use a later effective_from');
        }
        throw err;
      }
    },
  };
}

export type PricingService = ReturnType<typeof createPricingService>;

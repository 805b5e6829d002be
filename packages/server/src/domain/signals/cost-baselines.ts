import type { Queryable } from '../../db/database.ts';
import { costBaseline, type CostBaselineRow } from './queries/cost-analysis.ts';
import { COST_Z_THRESHOLD } from './signals.constants.ts';

/** How long a computed baseline is reused, and how many (tenant, project) baselines a node keeps. */
export const BASELINE_TTL_MS = 60_000;
const MAX_CACHED = 1_000;

/**
 * SIG-O4's baselines, kept per node for a minute. The baseline covers runs that finished more
 * than a day ago, so within a minute only its edges slide; recomputing it for every request
 * would sort a week of a big tenant's costs each time (about 100 ms at 500,000 runs).
 */
export function createCostBaselines(db: Queryable) {
  const cache = new Map<string, { at: number; rows: CostBaselineRow[] }>();
  return async (tenantId: string, now: Date, projectId: string | null): Promise<CostBaselineRow[]> => {
    const key = `${tenantId}:${projectId ?? ''}`;
    const hit = cache.get(key);
    if (hit && now.getTime() - hit.at < BASELINE_TTL_MS && now.getTime() >= hit.at) return hit.rows;
    const rows = await costBaseline(db, tenantId, now, projectId);
    cache.delete(key);
    cache.set(key, { at: now.getTime(), rows });
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
    return rows;
  };
}

/**
 * Seed 001 §5 step 3: z = (current mean − baseline mean) / baseline deviation when the deviation
 * is positive, else 0; an agent without a baseline keeps z null (the seed's 0 would read as
 * "normal"). Anomaly: z above the threshold, or the current mean above the baseline p95.
 */
export function scoreAgainstBaseline(current: number, baseline: CostBaselineRow | undefined) {
  if (!baseline) return { z_score: null, is_anomaly: false };
  const z = baseline.stddev_cost && baseline.stddev_cost > 0 ? (current - baseline.avg_cost) / baseline.stddev_cost : 0;
  return { z_score: z, is_anomaly: z > COST_Z_THRESHOLD || current > baseline.p95_cost };
}

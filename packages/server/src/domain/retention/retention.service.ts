import type { Database } from '../../db/database.ts';
import { refreshWorkUnitStats } from '../registry/registry.repository.ts';
import * as repo from './retention.repository.ts';

/** Runs per batch (with all their steps) and activities per batch: each batch is its own short transaction. */
export const PRUNE_RUN_BATCH = 200;
export const PRUNE_ACTIVITY_BATCH = 1_000;
const DAY_MS = 86_400_000;

export interface PruneResult {
  projects: number;
  runs: number;
  trace_steps: number;
  activities: number;
}

/**
 * Retention (per project `retention_days`): finished runs completed before the cutoff, their
 * steps, and activities that occurred before it are deleted in bounded batches, each in its
 * own transaction, so no lock is held for long and writers interleave. Rollups stay exact:
 * the runs trigger subtracts deleted runs from run_dimension_counts, pattern evidence lives on
 * the run rows, and the work units of deleted runs get their figures recounted in the batch.
 */
export function createRetentionService({ db }: { db: Database }) {
  async function pruneRuns(rule: repo.RetentionRule, cutoff: Date, out: PruneResult) {
    for (;;) {
      const done = await db.transaction(async (tx) => {
        const runs = await repo.lockExpiredRuns(tx, rule, cutoff, PRUNE_RUN_BATCH);
        if (runs.length === 0) return true;
        const ids = runs.map((r) => r.id);
        const steps = await repo.deleteSteps(tx, rule.tenant_id, ids);
        const deleted = await repo.deleteRuns(tx, rule.tenant_id, ids);
        await refreshWorkUnitStats(tx, rule.tenant_id, runs.map((r) => r.work_unit_id));
        await repo.recordPruned(tx, rule.tenant_id, { runs: deleted, trace_steps: steps });
        out.runs += deleted;
        out.trace_steps += steps;
        return runs.length < PRUNE_RUN_BATCH;
      });
      if (done) return;
    }
  }

  async function pruneActivities(rule: repo.RetentionRule, cutoff: Date, out: PruneResult) {
    for (;;) {
      const deleted = await db.transaction(async (tx) => {
        const n = await repo.deleteExpiredActivities(tx, rule, cutoff, PRUNE_ACTIVITY_BATCH);
        await repo.recordPruned(tx, rule.tenant_id, { activities: n });
        return n;
      });
      out.activities += deleted;
      if (deleted < PRUNE_ACTIVITY_BATCH) return;
    }
  }

  return {
    /** Prunes every project with a retention (of one tenant when given); `now` fixes the cutoffs. */
    async prune({ tenantId = null, now = new Date() }: { tenantId?: string | null; now?: Date } = {}): Promise<PruneResult> {
      const out: PruneResult = { projects: 0, runs: 0, trace_steps: 0, activities: 0 };
      for (const rule of await repo.retentionRules(db, tenantId)) {
        const cutoff = new Date(now.getTime() - rule.retention_days * DAY_MS);
        await pruneRuns(rule, cutoff, out);
        await pruneActivities(rule, cutoff, out);
        out.projects++;
      }
      return out;
    },

    totals: () => repo.prunedTotals(db),
  };
}

export type RetentionService = ReturnType<typeof createRetentionService>;

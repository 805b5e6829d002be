import { analyzeGrownTables } from '../db/analyze.ts';
import type { Database } from '../db/database.ts';
import { runUpdated } from '../events/live-events.ts';
import { refreshDirtyPatterns, refreshLiveRuns } from '../domain/signals/derive.repository.ts';
import { foldDimensionCounts } from '../domain/signals/queries/by-dimension.ts';
import type { EventBus } from '../realtime/event-bus.ts';

/** At most this many batches of pattern refreshes per pass; the next minute takes the rest. */
const MAX_PATTERN_BATCHES = 100;

/**
 * runs.mark-stalled (every minute): live runs silent for longer than the stall timeout become
 * STALLED, every live run's risk_level follows what it has used so far, and runs whose steps
 * changed get their pattern evidence recomputed (finished runs get theirs when they finish);
 * last, the runs-by-dimension rollup's deltas are folded.
 * Changed runs are published, so dashboards see a run stall without polling.
 */
export function markStalledJob({ db, bus, stallTimeoutMs }: { db: Database; bus: EventBus; stallTimeoutMs: number }) {
  return async (): Promise<void> => {
    // PGlite has no autovacuum: this pass keeps the planner's statistics in step with growth.
    if (db.kind === 'pglite') await analyzeGrownTables(db);
    const now = new Date();
    const changed = await refreshLiveRuns(db, now, new Date(now.getTime() - stallTimeoutMs));
    if (changed.length > 0) bus.publish(changed.map((run) => runUpdated(run.tenant_id, run, 0)));
    for (let i = 0; i < MAX_PATTERN_BATCHES && (await refreshDirtyPatterns(db)) > 0; i++);
    await foldDimensionCounts(db);
  };
}

import type { Database } from '../db/database.ts';
import { runUpdated } from '../domain/runs/runs.service.ts';
import { refreshLiveRuns } from '../domain/signals/derive.repository.ts';
import type { EventBus } from '../realtime/event-bus.ts';

/**
 * runs.mark-stalled (every minute): live runs silent for longer than the stall timeout become
 * STALLED, and every live run's risk_level follows what it has used so far. Changed runs are
 * published, so dashboards see a run stall without polling.
 */
export function markStalledJob({ db, bus, stallTimeoutMs }: { db: Database; bus: EventBus; stallTimeoutMs: number }) {
  return async (): Promise<void> => {
    const now = new Date();
    const changed = await refreshLiveRuns(db, now, new Date(now.getTime() - stallTimeoutMs));
    if (changed.length > 0) bus.publish(changed.map((run) => runUpdated(run.tenant_id, run, 0)));
  };
}

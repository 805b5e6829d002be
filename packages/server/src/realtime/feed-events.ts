import type { Queryable } from '../db/database.ts';
import { toRunDto } from '../events/live-events.ts';
import { activityData, isTransitionActivity, outEvent, type OutEvent } from './protocol.ts';
import { listRunsByIds } from './realtime.repository.ts';

/** What the hub knows about one seq before it becomes events. */
export interface FeedItem {
  seq: number;
  /** The activity row (inline from the writer, or read from the database). */
  row: Record<string, unknown>;
  /** The writer's run_updated for this seq: `data` undefined means "too big, read the run". */
  run?: { data?: unknown; runId?: string };
  /** Read from the database: its run_updated, if any, was not received and is rebuilt. */
  fromDb: boolean;
}

/**
 * Which runs to read from the database, and at which item each one's run_updated goes.
 * A writer's inline run_updated always wins. An activity read from the database that is a
 * run transition gets the run's *current* row, once per run (at its last transition in the
 * list): several transitions of one run would otherwise repeat the same current row.
 */
function runsToRead(items: readonly FeedItem[], wantsRun: (runId: string) => boolean): Map<string, number> {
  const inline = new Set<string>();
  for (const item of items) {
    const id = item.run?.data !== undefined ? (item.run.data as { id?: unknown }).id : undefined;
    if (typeof id === 'string') inline.add(id);
  }
  const at = new Map<string, number>();
  items.forEach((item, index) => {
    const ref = item.run && item.run.data === undefined ? item.run.runId ?? (item.row.run_id as string | undefined) : undefined;
    const rebuilt = item.fromDb && isTransitionActivity(item.row) ? item.row.run_id : undefined;
    const runId = ref ?? rebuilt;
    if (typeof runId === 'string' && !inline.has(runId) && wantsRun(runId)) at.set(runId, index);
  });
  return at;
}

/** Items in seq order → run_updated then activity_created for each seq, as a writer publishes them. */
export async function eventsOf(db: Queryable, tenantId: string, items: readonly FeedItem[], wantsRun: (runId: string) => boolean): Promise<OutEvent[]> {
  const toRead = runsToRead(items, wantsRun);
  const runs = new Map((await listRunsByIds(db, tenantId, [...toRead.keys()])).map((row) => [row.id, toRunDto(row)]));
  const readAt = new Map([...toRead].map(([runId, index]) => [index, runId]));
  const events: OutEvent[] = [];
  items.forEach((item, index) => {
    if (item.run?.data !== undefined) {
      events.push(outEvent('run_updated', item.seq, item.run.data, true));
    } else {
      const runId = readAt.get(index);
      const run = runId === undefined ? undefined : runs.get(runId);
      if (run) events.push(outEvent('run_updated', item.seq, run, true));
    }
    events.push(outEvent('activity_created', item.seq, activityData(item.row), true));
  });
  return events;
}

/** run_updated and step_added that carry no activity seq: sent as they come, at the current seq. */
export async function unorderedEventsOf(
  db: Queryable,
  tenantId: string,
  events: ReadonlyArray<{ type: 'run_updated' | 'step_added' | 'activity_created'; data?: unknown; runId?: string }>,
  seq: number,
): Promise<OutEvent[]> {
  const refs = events.filter((e) => e.data === undefined && e.type === 'run_updated' && e.runId).map((e) => e.runId!);
  const runs = new Map((await listRunsByIds(db, tenantId, refs)).map((row) => [row.id, toRunDto(row)]));
  const out: OutEvent[] = [];
  for (const event of events) {
    const data = event.data ?? (event.runId ? runs.get(event.runId) : undefined);
    if (data !== undefined) out.push(outEvent(event.type, seq, data, false));
  }
  return out;
}

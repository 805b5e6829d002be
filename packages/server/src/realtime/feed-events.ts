import type { Queryable } from '../db/database.ts';
import type { LiveEventType } from './event-bus.ts';
import { toRunDto } from '../events/live-events.ts';
import { activityData, isTransitionActivity, outEvent, type OutEvent } from './protocol.ts';
import { listRecentRenders, listRenderStates, listRunsByIds } from './realtime.repository.ts';

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
  events: ReadonlyArray<{ type: LiveEventType; data?: unknown; runId?: string }>,
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

/**
 * activity_rendered events at their activity's seq, unordered (a render comes after its
 * activity was delivered, so it must not move a client's position). A reference (too big for
 * NOTIFY) is read from the database.
 */
export async function renderedEventsOf(db: Queryable, tenantId: string, events: ReadonlyArray<{ seq: number; data?: unknown; activityId?: string }>): Promise<OutEvent[]> {
  const refs = events.filter((e) => e.data === undefined && e.activityId).map((e) => e.activityId!);
  const read = new Map((await listRenderStates(db, tenantId, refs)).map((row) => [row.id, row]));
  const out: OutEvent[] = [];
  for (const event of events) {
    const data = event.data ?? (event.activityId ? read.get(event.activityId) : undefined);
    if (data !== undefined) out.push(outEvent('activity_rendered', event.seq, data, false));
  }
  return out;
}

/** How far below a resuming client's after_seq renders are looked for, and how recent they must be. */
const RECENT_RENDER_SEQS = 200;
const RECENT_RENDER_MS = 10 * 60_000;

/**
 * A client resuming after seq N may have seen activities up to N still PENDING: their renders
 * stored since are sent again as activity_rendered (a bounded look back; a repeat is harmless).
 */
export async function recentRenderEvents(db: Queryable, tenantId: string, atOrBelow: number): Promise<OutEvent[]> {
  if (atOrBelow <= 0) return [];
  const rows = await listRecentRenders(db, tenantId, atOrBelow, RECENT_RENDER_SEQS, RECENT_RENDER_MS);
  return rows.map(({ seq, ...data }) => outEvent('activity_rendered', seq, data, false));
}

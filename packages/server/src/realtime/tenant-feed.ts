import type { Database } from '../db/database.ts';
import { lastSeq, listActivitiesAfterSeq } from '../domain/activities/activities.repository.ts';
import type { Logger } from '../logger.ts';
import type { LiveEventType } from './event-bus.ts';
import { eventsOf, renderedEventsOf, unorderedEventsOf, type FeedItem } from './feed-events.ts';
import type { OutEvent } from './protocol.ts';

/** An event as the hub receives it: from this node's bus, or another node's NOTIFY. */
export interface HubEvent {
  tenantId: string;
  type: LiveEventType;
  seq: number;
  /** Undefined: a reference to something too big for NOTIFY; the hub reads it from the database. */
  data?: unknown;
  /** For a run_updated reference: which run to read. */
  runId?: string;
  /** For an activity_rendered reference: which activity to read. */
  activityId?: string;
}

export interface FeedOptions {
  /** How long a hole in the seqs may wait for its event before it is read from the database. */
  gapGraceMs: number;
  /** More events than this waiting behind a hole means this node lost track: everyone resyncs. */
  maxPending: number;
  /** A hole bigger than this is not replayed live: everyone resyncs. */
  maxGapRows: number;
}

export interface FeedDeps extends FeedOptions {
  tenantId: string;
  db: Database;
  logger: Logger;
  /** Hands events, in seq order, to the tenant's connections. */
  deliver(events: OutEvent[]): void;
  /** Whether any connection wants run_updated about this run (spares a read when none does). */
  wantsRun(runId: string): boolean;
  /** The feed could not stay gap-free: every connection of the tenant must resync. */
  resyncAll(reason: string): void;
}

const PAGE = 1000;
const RETRY_MS = 500;

interface Slot {
  activity?: Record<string, unknown> | null;
  run?: { data?: unknown; runId?: string };
}

/**
 * One tenant's live feed on this node. Bus and NOTIFY events are wake-ups that usually carry
 * their data: the feed keeps the last seq it delivered, drops an activity at or below it
 * (a duplicate), delivers the next one, and reads a hole from the database (seqs commit in
 * order, so a hole below a committed seq is already readable). Delivery is therefore in
 * order, without gaps or duplicates, whichever node wrote and in whatever order events
 * arrive. All work runs on one promise chain, so a subscription's replay never interleaves
 * with live delivery.
 */
export function createTenantFeed(deps: FeedDeps) {
  const { tenantId, db, logger } = deps;
  let last: number | null = null;
  const pending = new Map<number, Slot>();
  let unordered: HubEvent[] = [];
  /** activity_rendered events, each held until its activity_created has been delivered. */
  let rendered: HubEvent[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  let drainQueued = false;
  let catchUpWanted = false;
  let gapSince: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = chain.then(task);
    chain = result.catch(() => {});
    return result;
  }

  function schedule() {
    if (drainQueued || closed) return;
    drainQueued = true;
    // setImmediate: the other events of the same write (run_updated + activity_created) arrive first.
    setImmediate(() => {
      enqueue(async () => {
        drainQueued = false;
        await drain();
      }).catch((err) => {
        logger.warn({ err, tenantId }, 'live feed could not read the database; retrying');
        retryLater(RETRY_MS);
      });
    });
  }

  function retryLater(ms: number) {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = null;
      schedule();
    }, ms);
  }

  async function ensureInit() {
    if (last !== null) return;
    last = await lastSeq(db, tenantId);
    for (const seq of pending.keys()) if (seq <= last) pending.delete(seq);
  }

  function reset(reason: string) {
    logger.warn({ tenantId, reason, pending: pending.size }, 'live feed lost track; clients resync');
    pending.clear();
    last = null;
    gapSince = null;
    deps.resyncAll(reason);
  }

  /** Moves the ready run of seqs after `cursor` into items; returns the new cursor. */
  function takeContiguous(items: FeedItem[], cursor: number): number {
    for (let slot = pending.get(cursor + 1); slot?.activity; slot = pending.get(cursor + 1)) {
      pending.delete(++cursor);
      items.push({ seq: cursor, row: slot.activity, run: slot.run, fromDb: false });
    }
    return cursor;
  }

  /** Reads missing activities from the database; false when the hole is too big to replay. */
  async function fill(items: FeedItem[], cursor: number, target: number): Promise<number | null> {
    logger.debug({ tenantId, after: cursor, target }, 'live feed reads missing activities from the database');
    let read = 0;
    while (cursor < target) {
      const rows = await listActivitiesAfterSeq(db, tenantId, cursor, PAGE);
      for (const row of rows) {
        const slot = pending.get(row.seq);
        pending.delete(row.seq);
        items.push({ seq: row.seq, row: row as unknown as Record<string, unknown>, run: slot?.run, fromDb: true });
        cursor = row.seq;
      }
      read += rows.length;
      if (rows.length < PAGE) break;
      if (read >= deps.maxGapRows) return null;
    }
    // Seqs at or below what the database showed and still missing never will be (unused seqs).
    for (const seq of pending.keys()) if (seq <= cursor) pending.delete(seq);
    return cursor;
  }

  /** A hole waits gapGraceMs for its event (usually in flight) before the database is read. */
  function gapIsDue(cursor: number): boolean {
    const next = pending.get(cursor + 1);
    if (next && next.activity === null) return true; // a reference: nothing more will come
    const now = Date.now();
    gapSince ??= now;
    if (now - gapSince >= deps.gapGraceMs) return true;
    retryLater(deps.gapGraceMs - (now - gapSince));
    return false;
  }

  async function drain() {
    if (closed) return;
    await ensureInit();
    const items: FeedItem[] = [];
    let cursor = takeContiguous(items, last!);
    if (catchUpWanted || (pending.size > 0 && gapIsDue(cursor))) {
      const target = catchUpWanted ? Number.POSITIVE_INFINITY : Math.max(...pending.keys());
      catchUpWanted = false;
      const filled = await fill(items, cursor, target);
      if (filled === null) return reset('gap_too_large');
      cursor = takeContiguous(items, filled);
    }
    if (pending.size === 0) gapSince = null;
    if (items.length > 0) deps.deliver(await eventsOf(db, tenantId, items, deps.wantsRun));
    last = cursor;
    if (unordered.length > 0) {
      const batch = unordered;
      unordered = [];
      deps.deliver(await unorderedEventsOf(db, tenantId, batch, last));
    }
    const ready = rendered.filter((e) => e.seq <= cursor);
    if (ready.length > 0) {
      rendered = rendered.filter((e) => e.seq > cursor);
      deps.deliver(await renderedEventsOf(db, tenantId, ready));
    }
  }

  return {
    tenantId,

    /** Cheap and synchronous: called from the write path (through the bus), so it never throws. */
    receive(event: HubEvent) {
      if (closed) return;
      if (event.type === 'activity_rendered') {
        // Bounded like the rest: past the limit the oldest go (GET /activities/{id} has them).
        if (rendered.length >= deps.maxPending) rendered.shift();
        rendered.push(event);
      } else if (event.type === 'step_added' || event.seq <= 0) {
        unordered.push(event);
      } else {
        if (last !== null && event.seq <= last) return;
        if (pending.size >= deps.maxPending) return reset('gap_too_large');
        const slot = pending.get(event.seq) ?? {};
        if (event.type === 'activity_created') slot.activity = (event.data as Record<string, unknown> | undefined) ?? null;
        else slot.run = { data: event.data, runId: event.runId };
        pending.set(event.seq, slot);
      }
      schedule();
    },

    /** Runs `task` between drains, with the seq up to which events have been delivered. */
    exclusive<T>(task: (deliveredSeq: number) => Promise<T>): Promise<T> {
      return enqueue(async () => {
        await ensureInit();
        return task(last!);
      });
    },

    /** Reads whatever the database has after the last delivered seq (after a lost NOTIFY connection). */
    catchUp() {
      catchUpWanted = true;
      schedule();
    },

    get deliveredSeq(): number | null {
      return last;
    },

    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export type TenantFeed = ReturnType<typeof createTenantFeed>;

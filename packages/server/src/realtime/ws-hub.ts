import type { WebSocket } from 'ws';
import type { Database } from '../db/database.ts';
import { listActivitiesAfterSeq } from '../domain/activities/activities.repository.ts';
import type { AuthContext } from '../domain/auth/auth.types.ts';
import type { Logger } from '../logger.ts';
import { createConnection, encodeFrame, type Connection, type ConnectionOptions, type FrameEncoder, type Queued } from './connection.ts';
import { eventsOf, recentRenderEvents } from './feed-events.ts';
import { control, parseClientMessage, wantsRun, type OutEvent, type ProtocolLimits, type SubscribeMessage } from './protocol.ts';
import { lastSeqs } from './realtime.repository.ts';
import { createTenantFeed, type FeedOptions, type HubEvent, type TenantFeed } from './tenant-feed.ts';

export interface HubOptions extends ConnectionOptions, ProtocolLimits, FeedOptions {
  /** Batching: a client's queued events are written as one frame this often (SPEC §5: ~20 ms). */
  flushIntervalMs: number;
  /** Activities a subscribe with after_seq replays at most; further behind gets a resync. */
  maxReplay: number;
  /** A connection that has not answered the previous ping when the next one is due is terminated. */
  pingIntervalMs: number;
  /** Several nodes: how often to look for events whose NOTIFY never arrived (0: never). */
  sweepIntervalMs: number;
}

export const DEFAULT_HUB_OPTIONS: HubOptions = Object.freeze({
  flushIntervalMs: 20,
  queueLimit: 5_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxFrameEvents: 500,
  maxReplay: 5_000,
  pingIntervalMs: 30_000,
  maxMessageBytes: 16 * 1024,
  maxChannels: 100,
  gapGraceMs: 15,
  maxPending: 10_000,
  maxGapRows: 10_000,
  sweepIntervalMs: 0,
});

export interface HubDeps {
  db: Database;
  logger: Logger;
  options: HubOptions;
}

interface TenantState {
  feed: TenantFeed;
  connections: Set<Connection>;
}

/**
 * The WebSocket hub: connections grouped by tenant (a client only ever hears its own
 * tenant), one ordered feed per tenant with at least one client, batching, bounded queues
 * and dead-connection cleanup.
 */
export function createWsHub({ db, logger, options }: HubDeps) {
  const tenants = new Map<string, TenantState>();
  const dirty = new Set<Connection>();
  let flushTimer: NodeJS.Timeout | null = null;
  let closed = false;

  /**
   * Clients with the same subscription usually hold the same frame (the same shared event
   * objects): it is encoded once per flush and that buffer is sent to each of them, instead of
   * joining and UTF-8 encoding it once per client.
   */
  function sharedEncoder(): FrameEncoder {
    const frames = new Map<Queued, { items: readonly Queued[]; data: Buffer }[]>();
    return (items) => {
      const known = frames.get(items[0]!) ?? [];
      const hit = known.find((f) => f.items.length === items.length && f.items.every((item, i) => item === items[i]));
      if (hit) return hit.data;
      const data = Buffer.from(encodeFrame(items) as string);
      known.push({ items, data });
      frames.set(items[0]!, known);
      return data;
    };
  }

  function flushAll() {
    flushTimer = null;
    const encode = sharedEncoder();
    for (const connection of dirty) {
      if (!connection.flush(encode)) dirty.delete(connection);
    }
    if (dirty.size > 0) armFlush();
  }

  function armFlush() {
    if (!flushTimer && !closed) flushTimer = setTimeout(flushAll, options.flushIntervalMs);
  }

  function tenantState(tenantId: string): TenantState {
    let state = tenants.get(tenantId);
    if (state) return state;
    const connections = new Set<Connection>();
    const feed = createTenantFeed({
      ...options,
      tenantId,
      db,
      logger,
      deliver: (events) => deliver(connections, events),
      wantsRun: (runId) => {
        for (const c of connections) if (c.state === 'live' && c.subscription && wantsRun(c.subscription, runId)) return true;
        return false;
      },
      resyncAll: (reason) => {
        for (const c of connections) if (c.state === 'live') c.resync(reason, c.sentSeq);
      },
    });
    state = { feed, connections };
    tenants.set(tenantId, state);
    return state;
  }

  function deliver(connections: Set<Connection>, events: OutEvent[]) {
    for (const connection of connections) {
      for (const event of events) connection.offer(event);
    }
  }

  function disconnect(connection: Connection) {
    dirty.delete(connection);
    const state = tenants.get(connection.auth.tenantId);
    if (!state) return;
    state.connections.delete(connection);
    if (state.connections.size === 0) {
      state.feed.close();
      tenants.delete(connection.auth.tenantId);
    }
  }

  /**
   * Runs between the tenant's live drains: replays (after_seq, delivered] from the database,
   * then switches the client to live events after `delivered`, so nothing is missed or
   * repeated between the two.
   */
  async function subscribe(connection: Connection, message: SubscribeMessage) {
    const generation = ++connection.generation;
    const { feed } = tenantState(connection.auth.tenantId);
    await feed.exclusive(async (delivered) => {
      if (generation !== connection.generation || connection.closed) return;
      const { subscription, afterSeq } = message;
      let events: OutEvent[] = [];
      if (afterSeq !== undefined && afterSeq < delivered) {
        if (delivered - afterSeq > options.maxReplay) return connection.resync('too_far_behind', afterSeq);
        const rows = await listActivitiesAfterSeq(db, connection.auth.tenantId, afterSeq, delivered - afterSeq);
        const items = rows.filter((r) => r.seq <= delivered).map((row) => ({ seq: row.seq, row: row as never, fromDb: true }));
        events = await eventsOf(db, connection.auth.tenantId, items, (runId) => wantsRun(subscription, runId));
        if (generation !== connection.generation || connection.closed) return;
      }
      if (afterSeq !== undefined && afterSeq > 0 && subscription.activity) {
        // Renders stored while the client was away, of activities it had already seen.
        events = [...(await recentRenderEvents(db, connection.auth.tenantId, Math.min(afterSeq, delivered))), ...events];
        if (generation !== connection.generation || connection.closed) return;
      }
      const floor = Math.max(delivered, afterSeq ?? 0);
      const clientSeq = afterSeq !== undefined && afterSeq < floor ? afterSeq : floor;
      const replayed = events.filter((e) => e.type === 'activity_created').length;
      const ack = control.subscribed(subscription.channels, afterSeq, floor, replayed);
      connection.activate(subscription, floor, clientSeq, events, ack, afterSeq !== undefined);
    });
  }

  function onMessage(connection: Connection, raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) {
    connection.alive = true;
    const parsed = parseClientMessage(raw, isBinary, options);
    if (!parsed.ok) return connection.control(control.error(parsed.error, parsed.message));
    subscribe(connection, parsed.message).catch((err) => {
      logger.warn({ err, tenantId: connection.auth.tenantId }, 'subscribe failed');
      connection.control(control.error('unavailable', 'the subscription could not be served; retry shortly'));
    });
  }

  const pingTimer = setInterval(() => {
    for (const state of tenants.values()) {
      for (const connection of state.connections) {
        if (!connection.alive) {
          connection.socket.terminate();
          continue;
        }
        connection.alive = false;
        connection.socket.ping();
      }
    }
  }, options.pingIntervalMs);
  pingTimer.unref();

  const sweepTimer = options.sweepIntervalMs > 0 ? setInterval(() => void sweep(), options.sweepIntervalMs) : null;
  sweepTimer?.unref();
  const seenInDb = new Map<string, number>();
  let sweeping = false;

  /**
   * Several nodes: a NOTIFY that was never sent (its node died after commit) leaves a seq no
   * event will announce. A tenant still behind what the database showed one sweep ago reads it.
   */
  async function sweep() {
    if (sweeping || closed || tenants.size === 0) return;
    sweeping = true;
    try {
      const now = await lastSeqs(db, [...tenants.keys()]);
      for (const [tenantId, state] of tenants) {
        const delivered = state.feed.deliveredSeq;
        const before = seenInDb.get(tenantId);
        if (delivered !== null && before !== undefined && delivered < before) state.feed.catchUp();
      }
      seenInDb.clear();
      for (const [tenantId, seq] of now) seenInDb.set(tenantId, seq);
    } catch (err) {
      logger.warn({ err }, 'live feed sweep failed');
    } finally {
      sweeping = false;
    }
  }

  return {
    /** From this node's bus or another node's NOTIFY; synchronous, never throws into the caller. */
    receive(event: HubEvent) {
      try {
        tenants.get(event.tenantId)?.feed.receive(event);
      } catch (err) {
        logger.warn({ err, type: event.type }, 'live event dropped');
      }
    },

    /** A socket authenticated for `auth`: it hears nothing until it subscribes. */
    connect(socket: WebSocket, auth: AuthContext) {
      if (closed) return socket.close(1001, 'server shutting down');
      const connection = createConnection(socket, auth, options, () => {
        dirty.add(connection);
        armFlush();
      });
      tenantState(auth.tenantId).connections.add(connection);
      socket.on('message', (raw, isBinary) => onMessage(connection, raw, isBinary));
      socket.on('pong', () => {
        connection.alive = true;
      });
      socket.on('close', () => {
        connection.closed = true;
        disconnect(connection);
      });
    },

    /** After the NOTIFY connection was lost: every tenant reads what it may have missed. */
    catchUpAll() {
      for (const state of tenants.values()) state.feed.catchUp();
    },

    stats() {
      let connections = 0;
      for (const state of tenants.values()) connections += state.connections.size;
      return { tenants: tenants.size, connections };
    },

    /** Says goodbye (1001) to every client; those that do not finish the handshake in time are cut. */
    async close(graceMs: number) {
      closed = true;
      clearInterval(pingTimer);
      if (sweepTimer) clearInterval(sweepTimer);
      if (flushTimer) clearTimeout(flushTimer);
      const sockets: WebSocket[] = [];
      for (const state of tenants.values()) {
        state.feed.close();
        for (const connection of state.connections) sockets.push(connection.socket);
      }
      tenants.clear();
      dirty.clear();
      await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => {
        if (socket.readyState === socket.CLOSED) return resolve();
        const timer = setTimeout(() => socket.terminate(), graceMs);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.close(1001, 'server shutting down');
      })));
    },
  };
}

export type WsHub = ReturnType<typeof createWsHub>;

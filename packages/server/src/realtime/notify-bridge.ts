import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { EventBus, LiveEvent, LiveEventType } from './event-bus.ts';
import { activityData } from './protocol.ts';
import type { HubEvent } from './tenant-feed.ts';

/**
 * Several nodes on one PostgreSQL (SPEC §1): each node NOTIFYs the events its writes publish,
 * and LISTENs on one dedicated connection for the other nodes' events, which it feeds to its
 * hub. The hub's seq logic makes delivery exact whatever arrives late, twice or never: a
 * lost notification is read from the database when a later seq shows the hole, and after the
 * listening connection is lost, every tenant catches up from the database.
 */

export interface NotifyBridgeDeps {
  bus: EventBus;
  /** The pool that sends NOTIFY (a statement outside any write transaction). */
  db: Database;
  logger: Logger;
  databaseUrl: string;
  schema: string;
  nodeId: string;
  receive(event: HubEvent): void;
  /** Called once the LISTEN connection is (re)established: events may have been missed. */
  catchUp(): void;
  /** How often the listening connection is checked with a query (a silent drop is otherwise unseen). */
  checkIntervalMs?: number;
  /** How often this node looks for other nodes listening on its channel. */
  peerCheckIntervalMs?: number;
}

/** PostgreSQL refuses payloads of 8000 bytes or more. */
const PAYLOAD_LIMIT = 7_900;
/** Events waiting to be sent; past this the oldest are dropped (receivers recover them by seq). */
const OUTBOX_LIMIT = 50_000;
const MAX_BACKOFF_MS = 5_000;
const CHECK_TIMEOUT_MS = 10_000;

interface WireEvent {
  t: string;
  y: LiveEventType;
  s: number;
  d?: unknown;
  r?: string;
  /** activity_rendered too big for NOTIFY: the activity to read. */
  a?: string;
}

/** One channel per schema: installs sharing a database (and parallel tests) do not hear each other. */
export function channelFor(schema: string): string {
  const name = `runlog_events_${schema}`;
  return /^[a-z_][a-z0-9_]{0,62}$/.test(name) ? name : `runlog_events_${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Long step labels are cut so one step always fits a notification; the full step is in GET /runs/{id}/steps. */
function trimStep(step: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { truncated: true };
  for (const [key, value] of Object.entries(step)) out[key] = typeof value === 'string' ? value.slice(0, 200) : value;
  return out;
}

/** One bus event as wire events that each fit a notification. */
export function encodeEvent(event: LiveEvent, budget: number): string[] {
  const data = event.type === 'activity_created' ? activityData(event.data) : event.data;
  const wire: WireEvent = { t: event.tenantId, y: event.type, s: event.seq, d: data };
  const json = JSON.stringify(wire);
  if (bytes(json) <= budget) return [json];
  if (event.type === 'run_updated') return [JSON.stringify({ ...wire, d: undefined, r: (data as { id?: string }).id })];
  if (event.type === 'activity_created') return [JSON.stringify({ ...wire, d: undefined })];
  if (event.type === 'activity_rendered') return [JSON.stringify({ ...wire, d: undefined, a: (data as { id?: string }).id })];
  // step_added: split the steps into chunks that fit.
  const { run_id: runId, steps } = data as { run_id: string; steps: Record<string, unknown>[] };
  const out: string[] = [];
  let chunk: unknown[] = [];
  const encode = (list: unknown[]) => JSON.stringify({ ...wire, d: { run_id: runId, steps: list } });
  for (const step of steps) {
    const single = bytes(encode([step])) <= budget ? step : trimStep(step);
    if (chunk.length > 0 && bytes(encode([...chunk, single])) > budget) {
      out.push(encode(chunk));
      chunk = [];
    }
    chunk.push(single);
  }
  if (chunk.length > 0) out.push(encode(chunk));
  return out;
}

/** Packs wire events, in order, into as few payloads as fit. */
export function pack(events: string[], nodeId: string, nextId: () => number): string[] {
  const payloads: string[] = [];
  let body: string[] = [];
  let size = 0;
  const close = () => {
    // `i` keeps payloads distinct: PostgreSQL folds identical notifications of one transaction.
    payloads.push(`{"n":${JSON.stringify(nodeId)},"i":${nextId()},"e":[${body.join(',')}]}`);
    body = [];
    size = 0;
  };
  for (const event of events) {
    const length = bytes(event) + 1;
    if (body.length > 0 && size + length > PAYLOAD_LIMIT - 100) close();
    body.push(event);
    size += length;
  }
  if (body.length > 0) close();
  return payloads;
}

function decode(payload: string, nodeId: string): HubEvent[] {
  const message = JSON.parse(payload) as { n?: string; e?: WireEvent[] };
  if (message.n === nodeId || !Array.isArray(message.e)) return [];
  return message.e.map((w) => ({ tenantId: w.t, type: w.y, seq: w.s, data: w.d, runId: w.r, activityId: w.a }));
}

/** The LISTEN connection's application_name: its channel (hashed) and node, so nodes can find each other. */
function listenerName(channel: string, nodeId: string): string {
  return `runlog-listen:${createHash('sha256').update(channel).digest('hex').slice(0, 8)}:${nodeId}`.slice(0, 63);
}

export function createNotifyBridge(deps: NotifyBridgeDeps) {
  const { db, logger, nodeId } = deps;
  const channel = channelFor(deps.schema);
  const ownName = listenerName(channel, nodeId);
  // Whether another node listens on this channel. Until a check says otherwise, one might.
  // Alone, a node does not NOTIFY the events a seq recovers (a node that starts meanwhile
  // reads them from the database: its hub sees the hole, or its sweep does), which spares
  // the database every payload of a single-node install. It always says hello when it starts
  // listening, so the others learn of it at once.
  let peers = true;
  let outbox: LiveEvent[] = [];
  let sending = false;
  let scheduled = false;
  let counter = 0;
  let stopped = false;
  let client: pg.Client | null = null;
  let backoff = 100;
  let reconnectTimer: NodeJS.Timeout | null = null;

  /** One NOTIFY statement at a time, so this node's notifications keep their order. */
  async function send() {
    scheduled = false;
    if (sending || outbox.length === 0) return;
    sending = true;
    const events = peers ? outbox : outbox.filter((e) => e.seq === 0);
    outbox = [];
    if (events.length === 0) {
      sending = false;
      return;
    }
    try {
      const wire = events.flatMap((e) => encodeEvent(e, PAYLOAD_LIMIT - 200));
      const payloads = pack(wire, nodeId, () => ++counter);
      await db.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [channel, payloads]);
    } catch (err) {
      logger.warn({ err, events: events.length }, 'could not forward live events to other nodes');
    } finally {
      sending = false;
      if (outbox.length > 0 && !stopped) scheduleSend();
    }
  }

  function scheduleSend() {
    if (scheduled) return;
    scheduled = true;
    // A microtask: every event of the same write (published in one synchronous call) goes in one NOTIFY.
    queueMicrotask(() => void send());
  }

  const unsubscribe = deps.bus.subscribe((event) => {
    if (stopped) return;
    if (outbox.length >= OUTBOX_LIMIT) {
      outbox.shift();
      logger.warn('live event outbox full; dropping the oldest (other nodes recover it by seq)');
    }
    outbox.push(event);
    scheduleSend();
  });

  function onNotification(message: pg.Notification) {
    if (message.channel !== channel || !message.payload) return;
    // Anything another node sends (its hello included) means this node is not alone.
    if (!message.payload.includes(`"n":${JSON.stringify(nodeId)}`)) peers = true;
    try {
      for (const event of decode(message.payload, nodeId)) deps.receive(event);
    } catch (err) {
      logger.warn({ err }, 'ignored a malformed live notification');
    }
  }

  function lost(which: pg.Client, err?: unknown) {
    if (client !== which) return;
    client = null;
    if (err) logger.warn({ err }, 'live notification connection lost; reconnecting');
    which.end().catch(() => {});
    scheduleReconnect();
  }

  function scheduleReconnect() {
    if (stopped || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void connect();
    }, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }

  async function connect(): Promise<void> {
    // The node id in application_name lets an operator (or a test) find this node's LISTEN connection.
    const next = new pg.Client({ connectionString: deps.databaseUrl, application_name: ownName, keepAlive: true });
    next.on('error', (err) => lost(next, err));
    next.on('end', () => lost(next, new Error('connection ended')));
    next.on('notification', onNotification);
    try {
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
      await next.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ n: nodeId, hello: true })]);
    } catch (err) {
      logger.warn({ err }, 'could not listen for live events of other nodes; retrying');
      next.removeAllListeners('end');
      next.end().catch(() => {});
      return scheduleReconnect();
    }
    if (stopped) return void next.end().catch(() => {});
    client = next;
    backoff = 100;
    deps.catchUp();
  }

  /** A connection dropped without a FIN would otherwise go unnoticed until the next write. */
  const checkTimer = setInterval(() => {
    const current = client;
    if (!current) return;
    const timeout = setTimeout(() => lost(current, new Error('listen connection check timed out')), CHECK_TIMEOUT_MS);
    current.query('SELECT 1').then(() => clearTimeout(timeout), (err) => {
      clearTimeout(timeout);
      lost(current, err);
    });
  }, deps.checkIntervalMs ?? 30_000);
  checkTimer.unref();

  async function checkPeers() {
    try {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1 AND application_name <> $2`,
        [`${ownName.slice(0, ownName.length - nodeId.length)}%`, ownName],
      );
      peers = (rows[0]?.n ?? 1) > 0;
    } catch {
      peers = true; // cannot tell: keep notifying
    }
  }
  const peerTimer = setInterval(() => void checkPeers(), deps.peerCheckIntervalMs ?? 2_000);
  peerTimer.unref();

  return {
    channel,

    /** Resolves once listening, or after the first attempt failed (retries go on in the background). */
    start: async () => {
      await connect();
      await checkPeers();
    },

    async stop() {
      stopped = true;
      unsubscribe();
      outbox = [];
      clearInterval(checkTimer);
      clearInterval(peerTimer);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const current = client;
      client = null;
      if (current) {
        current.removeAllListeners('end');
        await current.end().catch(() => {});
      }
    },
  };
}

export type NotifyBridge = ReturnType<typeof createNotifyBridge>;

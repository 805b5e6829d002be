import type { WebSocket } from 'ws';
import type { AuthContext } from '../domain/auth/auth.types.ts';
import { control, matches, type OutEvent, type Subscription } from './protocol.ts';

export interface ConnectionOptions {
  /** Events waiting for one client; more means it cannot keep up (SPEC §5: never grow memory). */
  queueLimit: number;
  /** Bytes the socket may hold unsent before the hub stops writing to it. */
  maxBufferedBytes: number;
  /** Events per frame: bounds one frame's size when a replay or a burst is flushed. */
  maxFrameEvents: number;
}

/** A queued event. Live events are queued as the hub's own objects, shared by every client. */
export interface Queued {
  readonly seq: number;
  readonly ordered: boolean;
  readonly json: string;
}

/** Turns a frame into what goes on the wire; the hub shares one encoding between clients. */
export type FrameEncoder = (frame: readonly Queued[]) => Buffer | string;

export const encodeFrame: FrameEncoder = (frame) => `[${frame.map((item) => item.json).join(',')}]`;

/** live: receives events; resync: fell behind and waits for a new subscribe; idle: not subscribed yet. */
export type ConnectionState = 'idle' | 'live' | 'resync';

/**
 * One client: its subscription, its bounded queue, and what it has been sent. The hub's
 * flush timer writes the queue as one frame (a JSON array) every ~20 ms.
 */
export function createConnection(socket: WebSocket, auth: AuthContext, options: ConnectionOptions, markDirty: () => void) {
  let queue: Queued[] = [];
  let state: ConnectionState = 'idle';
  let sub: Subscription | null = null;
  /** Ordered events at or below this seq were replayed or are older than the subscription. */
  let floor = 0;
  /** The highest ordered seq written to the socket: where a resync tells the client to resume. */
  let sentSeq = 0;

  function push(item: Queued) {
    queue.push(item);
    if (queue.length === 1) markDirty();
  }

  /**
   * A frame never splits the events of one seq (run_updated + activity_created): sentSeq then
   * means "everything up to here was sent", which is what a resync tells the client.
   */
  function frameEnd(): number {
    let end = options.maxFrameEvents;
    while (end < queue.length && queue[end]!.ordered && queue[end]!.seq === queue[end - 1]!.seq) end++;
    return end;
  }

  function sendNow(json: string) {
    if (socket.readyState === socket.OPEN) socket.send(`[${json}]`);
  }

  const connection = {
    auth,
    socket,
    /** Answered the last ping (or sent something): a connection that stays silent is terminated. */
    alive: true,
    /** Bumped by each subscribe, so a superseded one does nothing when its turn comes. */
    generation: 0,
    closed: false,

    get state() {
      return state;
    },

    get subscription() {
      return sub;
    },

    get sentSeq() {
      return sentSeq;
    },

    /** A live event, if this client wants it; overflow turns the client to resync. */
    offer(event: OutEvent) {
      if (state !== 'live' || !sub) return;
      if (event.ordered && event.seq <= floor) return;
      if (!matches(sub, event)) return;
      if (queue.length >= options.queueLimit) return connection.resync('slow_consumer', sentSeq);
      push(event);
    },

    /** Control messages (errors, acks) go through the queue, so they keep their place among events. */
    control(json: string) {
      if (queue.length < options.queueLimit) push({ seq: 0, ordered: false, json });
    },

    /** Starts (or restarts) live delivery after a subscribe, with the replayed events first. */
    activate(next: Subscription, nextFloor: number, clientSeq: number, replay: OutEvent[], subscribed: string, clearQueue: boolean) {
      if (clearQueue) queue = [];
      sub = next;
      floor = nextFloor;
      sentSeq = clientSeq;
      state = 'live';
      push({ seq: 0, ordered: false, json: subscribed });
      for (const event of replay) if (matches(next, event)) queue.push({ seq: event.seq, ordered: true, json: event.json });
    },

    /** Stops live delivery: the client must catch up and subscribe again with after_seq. */
    resync(reason: string, lastSeq: number) {
      queue = [];
      state = 'resync';
      // Sent at once, past the queue: it is small, and the queue is what overflowed.
      sendNow(control.resync(lastSeq, reason));
    },

    /** Writes queued events; true when some are left because the socket is still full. */
    flush(encode: FrameEncoder = encodeFrame): boolean {
      if (socket.readyState !== socket.OPEN) {
        queue = [];
        return false;
      }
      while (queue.length > 0) {
        if (socket.bufferedAmount > options.maxBufferedBytes) return true;
        const frame = queue.length <= options.maxFrameEvents ? queue : queue.slice(0, frameEnd());
        queue = frame === queue ? [] : queue.slice(frame.length);
        for (const item of frame) if (item.ordered && item.seq > sentSeq) sentSeq = item.seq;
        socket.send(encode(frame), { binary: false });
      }
      return false;
    },

    get pending(): number {
      return queue.length;
    },
  };
  return connection;
}

export type Connection = ReturnType<typeof createConnection>;

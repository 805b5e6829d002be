import { apiGet } from './api-client.ts';
import type { ActivityPage, LiveEvent } from './types.ts';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'stopped';
type Listener = (events: LiveEvent[]) => void;

export interface LiveOptions {
  /** ws URL; by default this page's own /ws (the session cookie authenticates it). */
  url?: string;
  pollMs?: number;
  maxBackoffMs?: number;
}

/**
 * One socket for the whole dashboard: subscribes to "activity" and "runs", resumes with
 * after_seq after a drop, and while the socket is down polls GET /activities?after_seq=.
 * Events reach listeners in batches, at most once per animation frame, so a flood of
 * hundreds a second costs one render per frame.
 */
export function createLive(options: LiveOptions = {}) {
  const pollMs = options.pollMs ?? 2000;
  const maxBackoff = options.maxBackoffMs ?? 15_000;
  const listeners = new Set<Listener>();
  const stateListeners = new Set<(s: LiveState) => void>();
  let state: LiveState = 'stopped';
  let socket: WebSocket | null = null;
  let lastSeq: number | null = null;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let pending: LiveEvent[] = [];
  let frame = 0;
  let running = false;

  function setState(next: LiveState) {
    if (next === state) return;
    state = next;
    for (const l of stateListeners) l(state);
  }

  function flush() {
    frame = 0;
    const batch = pending;
    pending = [];
    for (const l of listeners) l(batch);
  }

  function emit(events: LiveEvent[]) {
    for (const e of events) {
      if (e.type === 'activity_created' && typeof e.seq === 'number') lastSeq = Math.max(lastSeq ?? 0, e.seq);
      pending.push(e);
    }
    if (!frame && pending.length) {
      frame = typeof requestAnimationFrame === 'function' && !document.hidden
        ? requestAnimationFrame(flush)
        : (setTimeout(flush, 50) as unknown as number);
    }
  }

  function handleFrame(raw: string) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return;
    }
    const items = (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, any>>;
    const events: LiveEvent[] = [];
    for (const item of items) {
      if (item.type === 'subscribed') {
        if (lastSeq === null) lastSeq = item.last_seq;
        failures = 0;
        stopPolling();
        setState('live');
      } else if (item.type === 'resync') {
        // Fell behind: catch up over HTTP from our own last seq, then subscribe again.
        socket?.close(4000, 'resync');
      } else if (item.type !== 'error') {
        events.push(item as LiveEvent);
      }
    }
    if (events.length) emit(events);
  }

  function connect() {
    if (!running) return;
    const url = options.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'subscribe', channels: ['activity', 'runs'], ...(lastSeq !== null ? { after_seq: lastSeq } : {}) }));
    };
    ws.onmessage = (message) => handleFrame(String(message.data));
    ws.onclose = () => {
      if (socket === ws) socket = null;
      scheduleReconnect();
    };
    ws.onerror = () => {};
  }

  function scheduleReconnect() {
    if (!running) return;
    failures += 1;
    // One quick retry first ("Reconnecting"); from the second failure on, poll until the socket is back.
    if (failures >= 2) startPolling();
    else setState('reconnecting');
    const delay = Math.min(maxBackoff, 500 * 2 ** Math.min(failures - 1, 6));
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }

  async function pollOnce() {
    try {
      if (lastSeq === null) {
        lastSeq = (await apiGet<ActivityPage>('/activities', { limit: 1 })).last_seq;
      } else {
        for (let i = 0; i < 10; i++) {
          const page = await apiGet<ActivityPage>('/activities', { after_seq: lastSeq, limit: 500 });
          if (state !== 'polling') return;
          if (page.activities.length) emit(page.activities.map((a) => ({ type: 'activity_created', seq: a.seq, data: a })));
          if (page.activities.length < 500) break;
        }
      }
    } catch {
      // Keep polling: the next attempt says whether the server is back.
    }
  }

  function startPolling() {
    if (state === 'polling') return;
    setState('polling');
    const loop = async () => {
      if (state !== 'polling') return;
      await pollOnce();
      if (state === 'polling') pollTimer = setTimeout(loop, pollMs);
    };
    void loop();
  }

  function stopPolling() {
    clearTimeout(pollTimer);
  }

  return {
    start() {
      if (running) return;
      running = true;
      failures = 0;
      setState('connecting');
      connect();
    },
    stop() {
      running = false;
      clearTimeout(retryTimer);
      stopPolling();
      socket?.close(1000, 'signed out');
      socket = null;
      setState('stopped');
    },
    subscribe(listener: Listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onState(listener: (s: LiveState) => void) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    get state() {
      return state;
    },
    get lastSeq() {
      return lastSeq;
    },
  };
}

export type Live = ReturnType<typeof createLive>;

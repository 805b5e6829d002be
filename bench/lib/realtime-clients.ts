import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/**
 * Worker side of the realtime benchmark: opens the WebSocket clients, writes activities at a
 * steady rate, and measures, for every event every client receives, the time from the write
 * request being sent to the event arriving. Clients and writer share this thread's clock.
 */

export interface ClientsPlan {
  baseUrl: string;
  key: string;
  clients: number;
  rate: number;
  seconds: number;
  /** How long to wait for stragglers after the last write before counting losses. */
  drainMs: number;
  /** 'ingest': each tick's due writes as one POST /ingest batch (how an SDK writes); 'rest': one POST /activities each. */
  via: 'ingest' | 'rest';
}

export interface ClientsResult {
  written: number;
  writeErrors: number;
  firstError: string | null;
  /** Deliveries expected (written × clients), received, missing, duplicated or out of order. */
  expected: number;
  received: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  resyncs: number;
  /** Latency histograms in 0.1 ms buckets (the last bucket holds everything beyond). */
  endToEnd: Histogram;
  /** From the activity's created_at (its transaction's start, database clock, ms) to arrival. */
  delivery: Histogram;
  connectMs: number;
  writeSeconds: number;
}

export interface Histogram {
  buckets: Uint32Array;
  maxMs: number;
}

const BUCKET_MS = 0.1;
const BUCKETS = 600_000; // 60 s
/**
 * Each event is `{"type":"activity_created","seq":N,"data":{"id":"b-K",…,"created_at":"…"}}`:
 * read with a pattern instead of parsing a thousand clients' frames, which would measure the worker.
 */
const EVENT = /\{"type":"activity_created","seq":(\d+),"data":\{"id":"b-(\d+)".*?"created_at":"([^"]+)"/g;

function histogram(): Histogram {
  return { buckets: new Uint32Array(BUCKETS + 1), maxMs: 0 };
}

function add(h: Histogram, ms: number) {
  if (ms > h.maxMs) h.maxMs = ms;
  h.buckets[Math.min(BUCKETS, Math.max(0, Math.floor(ms / BUCKET_MS)))]!++;
}

/** Wall-clock milliseconds with sub-ms precision, comparable with the server's timestamps. */
const epochNow = () => performance.timeOrigin + performance.now();

class ClientStats {
  lastSeq = 0;
  /** One bit per seq received: repeats are told from reordering without a Set per client. */
  seen = new Uint8Array(1 << 12);
  received = 0;
  duplicates = 0;
  outOfOrder = 0;
  resyncs = 0;

  /** Marks `seq` as received; false when it was already. */
  mark(seq: number): boolean {
    if (seq >> 3 >= this.seen.length) {
      const grown = new Uint8Array(Math.max(this.seen.length * 2, (seq >> 3) + 1));
      grown.set(this.seen);
      this.seen = grown;
    }
    const bit = 1 << (seq & 7);
    if (this.seen[seq >> 3]! & bit) return false;
    this.seen[seq >> 3]! |= bit;
    return true;
  }
}

interface Parsed {
  seq: number;
  n: number;
  createdMs: number;
}

/**
 * Every client receives the same frames, so each distinct frame is decoded and parsed once
 * (keyed by its length and its first and last bytes, which hold its first seq and its last
 * event's time); otherwise the bench would measure its own thousand parsers, not the server.
 */
const frames = new Map<string, Parsed[]>();
const EDGE = 96;

function parseFrame(raw: Buffer): Parsed[] {
  const key = `${raw.length}:${raw.toString('latin1', 0, EDGE)}:${raw.toString('latin1', Math.max(0, raw.length - EDGE))}`;
  let parsed = frames.get(key);
  if (!parsed) {
    parsed = [...raw.toString().matchAll(EVENT)].map((m) => ({ seq: Number(m[1]), n: Number(m[2]), createdMs: Date.parse(m[3]!) }));
    if (frames.size > 5_000) frames.clear();
    frames.set(key, parsed);
  }
  return parsed;
}

const plan = workerData as ClientsPlan;
const sentAt: number[] = [];
const endToEnd = histogram();
const delivery = histogram();

function record(stats: ClientStats, { seq, n, createdMs }: Parsed, now: number) {
  if (!stats.mark(seq)) {
    stats.duplicates++;
    return;
  }
  if (seq <= stats.lastSeq) stats.outOfOrder++;
  stats.lastSeq = Math.max(stats.lastSeq, seq);
  stats.received++;
  const started = sentAt[n];
  if (started !== undefined) add(endToEnd, now - started);
  add(delivery, now - createdMs);
}

function open(stats: ClientStats): Promise<WebSocket> {
  const ws = new WebSocket(`${plan.baseUrl.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${plan.key}` } });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (raw) => {
      const now = epochNow();
      const buf = raw as Buffer;
      // Control messages open their frame: `subscribed` before any replay, `resync` alone.
      const head = buf.toString('latin1', 0, 40);
      if (head.startsWith('[{"type":"resync"')) stats.resyncs++;
      if (head.startsWith('[{"type":"subscribed"')) resolve(ws);
      for (const event of parseFrame(buf)) record(stats, event, now);
    });
    ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe', channels: ['activity'] })));
  });
}

/** Opens clients a batch at a time: a thousand upgrades at once would only measure the accept queue. */
async function openAll(stats: ClientStats[]): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < stats.length; i += 50) sockets.push(...(await Promise.all(stats.slice(i, i + 50).map(open))));
  return sockets;
}

let writeErrors = 0;
let firstError: string | null = null;

const activity = (_n: number) => ({ type: 'bench', action_name: 'bench.write', source: 'bench' });

/** Writes activities [from, to): one POST /ingest, or one POST /activities when `to` is from + 1 and via is rest. */
async function write(from: number, to: number) {
  const now = epochNow();
  for (let n = from; n < to; n++) sentAt[n] = now;
  const ingest = plan.via === 'ingest';
  try {
    const items = Array.from({ length: to - from }, (_, i) => ({ type: 'activity.create', id: `b-${from + i}`, body: activity(from + i) }));
    const res = await fetch(`${plan.baseUrl}/api/v1/${ingest ? 'ingest' : 'activities'}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${plan.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(ingest ? { items } : { id: `b-${from}`, ...activity(from) }),
    });
    const text = await res.text();
    const ok = ingest ? res.status === 200 && !text.includes('"status":4') : res.status === 201;
    if (!ok) throw new Error(`write → ${res.status} ${text.slice(0, 200)}`);
  } catch (err) {
    writeErrors += to - from;
    firstError ??= (err as Error).message;
  }
}

/** Writes in flight at most: past what the server absorbs, more would only queue in the client. */
const MAX_IN_FLIGHT = 64;

/** A steady rate for `seconds`: every 10 ms, the writes due by then (fewer if MAX_IN_FLIGHT are pending). */
async function writeFor(seconds: number): Promise<{ written: number; elapsed: number }> {
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let n = 0;
  for (let elapsed = 0; elapsed < seconds * 1000; elapsed = performance.now() - started) {
    const due = Math.floor((elapsed / 1000) * plan.rate);
    while (n < due && inFlight.size < MAX_IN_FLIGHT) {
      const to = plan.via === 'ingest' ? Math.min(due, n + 1000) : n + 1;
      const p = write(n, to).finally(() => inFlight.delete(p));
      n = to;
      inFlight.add(p);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(inFlight);
  return { written: n, elapsed: (performance.now() - started) / 1000 };
}

async function main(): Promise<ClientsResult> {
  const stats = Array.from({ length: plan.clients }, () => new ClientStats());
  const connectStarted = performance.now();
  const sockets = await openAll(stats);
  const connectMs = performance.now() - connectStarted;
  const { written: attempted, elapsed: writeSeconds } = await writeFor(plan.seconds);
  const written = attempted - writeErrors;
  const deadline = performance.now() + plan.drainMs;
  while (performance.now() < deadline && stats.some((s) => s.received < written)) await new Promise((r) => setTimeout(r, 50));
  for (const ws of sockets) ws.terminate();
  const sum = (pick: (s: ClientStats) => number) => stats.reduce((acc, s) => acc + pick(s), 0);
  const received = sum((s) => s.received);
  return {
    written, writeErrors, firstError,
    expected: written * plan.clients,
    received,
    lost: written * plan.clients - received,
    duplicates: sum((s) => s.duplicates),
    outOfOrder: sum((s) => s.outOfOrder),
    resyncs: sum((s) => s.resyncs),
    endToEnd, delivery, connectMs, writeSeconds,
  };
}

parentPort!.postMessage(await main());

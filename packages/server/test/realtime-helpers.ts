import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { buildApp } from '../src/app.ts';
import type { Database } from '../src/db/database.ts';
import { openPostgres } from '../src/db/postgres.ts';
import { createLogger } from '../src/logger.ts';
import type { RealtimeOptions } from '../src/realtime/ws.routes.ts';
import { openTestDatabase, type Backend, type TestContext, type TestDatabase } from './helpers.ts';

export interface LiveContext extends TestContext {
  /** ws://127.0.0.1:<port> of the listening app. */
  wsUrl: string;
}

/** One listening node on `db` (on PostgreSQL with its LISTEN bridge). */
export async function listen(db: Database, backend: Backend, schema: string, realtime: RealtimeOptions): Promise<LiveContext> {
  const { app, services, rendering } = await buildApp({
    db,
    logger: createLogger('silent'),
    realtime: backend === 'postgres' ? { databaseUrl: process.env.DATABASE_URL!, databaseSchema: schema, ...realtime } : realtime,
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, services, rendering, db, backend, wsUrl: address.replace(/^http/, 'ws') };
}

/** Like useApp, but listening on a real port (WebSocket clients need one); on PostgreSQL with its LISTEN bridge. */
export function useLiveApp(backend: Backend, realtime: RealtimeOptions = {}): LiveContext {
  const ctx = { backend } as LiveContext;
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await openTestDatabase(backend);
    Object.assign(ctx, await listen(testDb.db, backend, testDb.schema, realtime));
  });
  afterAll(async () => {
    await ctx.app?.close();
    await testDb?.drop();
  });
  return ctx;
}

/** Two nodes on one PostgreSQL schema, each with its own pool: what two `runlog serve` processes are. */
export function useTwoNodes(realtime: RealtimeOptions = {}): { a: LiveContext & { nodeId: string }; b: LiveContext & { nodeId: string } } {
  const suffix = Math.random().toString(36).slice(2, 10);
  const nodes = { a: { nodeId: `a-${suffix}` } as LiveContext & { nodeId: string }, b: { nodeId: `b-${suffix}` } as LiveContext & { nodeId: string } };
  let testDb: TestDatabase;
  let secondPool: Database;
  beforeAll(async () => {
    testDb = await openTestDatabase('postgres');
    secondPool = openPostgres({ url: process.env.DATABASE_URL!, schema: testDb.schema, max: 10 });
    Object.assign(nodes.a, await listen(testDb.db, 'postgres', testDb.schema, { ...realtime, nodeId: nodes.a.nodeId }));
    Object.assign(nodes.b, await listen(secondPool, 'postgres', testDb.schema, { ...realtime, nodeId: nodes.b.nodeId }));
  });
  afterAll(async () => {
    await nodes.a.app?.close();
    await nodes.b.app?.close();
    await secondPool?.close();
    await testDb?.drop();
  });
  return nodes;
}

export type LiveItem = { type: string; seq?: number; data?: any; [key: string]: unknown };

/** A WebSocket client that records every frame, as a dashboard would see them. */
export class LiveClient {
  readonly items: LiveItem[] = [];
  /** Frames that were not a JSON array of objects (the protocol says every frame is one). */
  readonly badFrames: string[] = [];
  frames = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      this.frames++;
      const text = raw.toString();
      try {
        const parsed = JSON.parse(text);
        if (!Array.isArray(parsed)) this.badFrames.push(text);
        else this.items.push(...parsed);
      } catch {
        this.badFrames.push(text);
      }
      for (const wake of this.waiters) wake();
    });
    ws.on('ping', () => {
      this.pings++;
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Pings the server sent (answered by the ws library unless autoPong is off). */
  pings = 0;

  /** Opens /ws with a bearer key, a ticket, or nothing; rejects with the HTTP status when the upgrade is refused. */
  static open(ctx: { wsUrl: string }, auth: { key?: string; ticket?: string } = {}, options: WebSocket.ClientOptions = {}): Promise<LiveClient> {
    const url = `${ctx.wsUrl}/ws${auth.ticket !== undefined ? `?ticket=${encodeURIComponent(auth.ticket)}` : ''}`;
    const ws = new WebSocket(url, { ...options, headers: { ...options.headers, ...(auth.key ? { authorization: `Bearer ${auth.key}` } : {}) } });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new LiveClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk));
        res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body: JSON.parse(body || '{}') })));
      });
      ws.once('error', reject);
    });
  }

  send(message: unknown) {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Subscribes and waits for the acknowledgement. */
  async subscribe(channels: string[], afterSeq?: number): Promise<LiveItem> {
    const from = this.items.length;
    this.send({ type: 'subscribe', channels, ...(afterSeq === undefined ? {} : { after_seq: afterSeq }) });
    return this.waitFor((items) => items.slice(from).find((i) => i.type === 'subscribed'));
  }

  /** Waits until `check` returns something truthy for the items received so far. */
  waitFor<T>(check: (items: LiveItem[]) => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        const result = check(this.items);
        if (!result) return false;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(result);
        return true;
      };
      const wake = () => void done();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`timed out after ${timeoutMs} ms; received ${this.items.length} items: ${JSON.stringify(this.items.slice(-5)).slice(0, 800)}`));
      }, timeoutMs);
      if (!done()) this.waiters.add(wake);
    });
  }

  private marks = 0;

  /**
   * Waits until everything the server had queued for this client when it was called has
   * arrived: a message the server answers through the same ordered queue as events (an
   * unknown type, answered with an error naming it). The answer is not kept in `items`.
   * Events still on their way from another node are not covered: wait for a later write there.
   */
  async settle(timeoutMs = 10_000): Promise<void> {
    const marker = `settle-${++this.marks}`;
    const isMark = (i: LiveItem) => i.type === 'error' && String(i.message ?? '').includes(marker);
    this.send({ type: marker });
    await this.waitFor((items) => items.some(isMark), timeoutMs);
    this.items.splice(this.items.findIndex(isMark), 1);
  }

  of(type: string): LiveItem[] {
    return this.items.filter((i) => i.type === type);
  }

  close() {
    this.ws.close();
    return this.closed;
  }
}

/** Seqs of the activity_created events received, in arrival order. */
export function activitySeqs(client: LiveClient): number[] {
  return client.of('activity_created').map((e) => e.seq!);
}

/** [from, from+1, …, to]. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

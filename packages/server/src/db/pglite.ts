import { AsyncLocalStorage } from 'node:async_hooks';
import { Worker } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import type { Database, Queryable, QueryResult } from './database.ts';
import type { SerializedError, WorkerOptions, WorkerRequest, WorkerResponse } from './pglite-protocol.ts';

/** Compiled, the worker is plain JavaScript; from the TypeScript sources (tests, benchmarks) a boot file registers tsx in the thread first. */
const WORKER_ENTRY = import.meta.url.endsWith('.ts') ? './pglite-worker.boot.mjs' : './pglite-worker.js';

type Pending = { resolve: (r: WorkerResponse & { ok: true }) => void; reject: (e: Error) => void };
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

function toError(e: SerializedError): Error {
  return Object.assign(new Error(e.message), e);
}

/** The embedded database, which can also write a copy of itself to a file (`loadFrom` reads it back). */
export interface PgliteDatabase extends Database {
  dump(path: string): Promise<void>;
}

/**
 * Embedded mode: PGlite in a worker thread, so a long query never blocks this thread's
 * event loop (HTTP, WebSocket delivery, timers). `dataDir` null gives an in-memory database.
 */
export async function openPglite(dataDir: string | null, { loadFrom = null }: { loadFrom?: string | null } = {}): Promise<PgliteDatabase> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const worker = new Worker(new URL(WORKER_ENTRY, import.meta.url), {
    workerData: { dataDir, loadFrom } satisfies WorkerOptions,
  });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  let failure: Error | null = null;

  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
  });
  worker.on('message', (res: WorkerResponse) => {
    const waiter = pending.get(res.id);
    if (!waiter) return;
    pending.delete(res.id);
    if (res.ok) waiter.resolve(res);
    else waiter.reject(toError(res.error));
  });
  const failAll = (err: Error) => {
    failure = err;
    for (const waiter of pending.values()) waiter.reject(err);
    pending.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => {
    if (!closed) failAll(Object.assign(new Error(`database worker exited (${code})`), { code: '57P01' }));
  });

  function send(req: Request): Promise<WorkerResponse & { ok: true }> {
    if (failure) return Promise.reject(failure);
    if (closed) return Promise.reject(Object.assign(new Error('database is closed'), { code: '57P01' }));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id });
    });
  }

  // PGlite has one connection: a query outside the open transaction waits for it to end, so
  // issuing one from inside the transaction's own callback would wait forever. Fail instead.
  const inTransaction = new AsyncLocalStorage<number>();
  function guard(tx: number | undefined) {
    if (tx === undefined && inTransaction.getStore() !== undefined) {
      throw new Error('query on the database handle inside a transaction; use the transaction handle');
    }
  }

  function queryable(tx?: number): Queryable {
    return {
      async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
        guard(tx);
        const res = await send({ op: 'query', sql, params: [...params], tx });
        return { rows: (res.rows ?? []) as R[], rowCount: res.rowCount ?? 0 };
      },
      async exec(sql: string) {
        guard(tx);
        await send({ op: 'exec', sql, tx });
      },
    };
  }

  await ready;
  return {
    kind: 'pglite',
    ...queryable(),
    async transaction(fn) {
      const { tx } = await send({ op: 'begin' });
      try {
        const result = await inTransaction.run(tx!, () => fn(queryable(tx)));
        await send({ op: 'commit', tx: tx! });
        return result;
      } catch (err) {
        await send({ op: 'rollback', tx: tx! }).catch(() => {});
        throw err;
      }
    },
    async dump(path: string) {
      await send({ op: 'dump', path });
    },
    async close() {
      if (closed) return;
      await send({ op: 'close' });
      closed = true;
      await worker.terminate();
    },
  };
}

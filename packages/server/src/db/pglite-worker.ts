import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';
import type { SerializedError, WorkerOptions, WorkerRequest, WorkerResponse } from './pglite-protocol.ts';

/**
 * Owns the PGlite instance. PGlite runs queries synchronously inside WebAssembly, so it
 * lives here and the main thread's event loop never waits on it.
 *
 * PGlite has one connection, so requests run one at a time. While a transaction is open,
 * only requests of that transaction run; the others wait in `pending` until it ends.
 */
const port = parentPort!;
const { dataDir, loadFrom } = workerData as WorkerOptions;

const db = await PGlite.create({
  dataDir: dataDir ?? undefined,
  loadDataDir: loadFrom ? new Blob([readFileSync(loadFrom)]) : undefined,
  parsers: {
    [types.INT8]: (value: string) => Number(value),
    [types.NUMERIC]: (value: string) => Number(value),
  },
});

const pending: WorkerRequest[] = [];
let openTx: number | null = null;
let nextTx = 1;
let busy = false;

function eligible(req: WorkerRequest): boolean {
  const tx = 'tx' in req ? req.tx : undefined;
  // Ending a transaction that is not the open one is answered at once, never left waiting.
  if ((req.op === 'commit' || req.op === 'rollback') && tx !== openTx) return true;
  if (openTx === null) return tx === undefined;
  return tx === openTx;
}

function serialize(err: unknown): SerializedError {
  const e = err as Error & Record<string, unknown>;
  const out: SerializedError = { message: e?.message ?? String(err) };
  for (const key of ['code', 'detail', 'constraint', 'column'] as const) {
    if (typeof e?.[key] === 'string') out[key] = e[key] as string;
  }
  return out;
}

async function run(req: WorkerRequest): Promise<WorkerResponse> {
  switch (req.op) {
    case 'query': {
      const result = await db.query(req.sql, req.params);
      return { id: req.id, ok: true, rows: result.rows, rowCount: result.affectedRows || result.rows.length };
    }
    case 'exec':
      await db.exec(req.sql);
      return { id: req.id, ok: true };
    case 'begin':
      await db.exec('BEGIN');
      openTx = nextTx++;
      return { id: req.id, ok: true, tx: openTx };
    case 'commit':
    case 'rollback':
      // A transaction that is no longer open (its COMMIT failed) has nothing left to end.
      if (req.tx !== openTx) return { id: req.id, ok: true };
      try {
        await db.exec(req.op === 'commit' ? 'COMMIT' : 'ROLLBACK');
      } finally {
        // A failed COMMIT ends the transaction in PostgreSQL too.
        openTx = null;
      }
      return { id: req.id, ok: true };
    case 'dump': {
      // Written beside the target, then renamed: a reader never sees half a file.
      const data = Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
      writeFileSync(`${req.path}.${process.pid}.tmp`, data);
      renameSync(`${req.path}.${process.pid}.tmp`, req.path);
      return { id: req.id, ok: true };
    }
    case 'close':
      await db.close();
      return { id: req.id, ok: true };
  }
}

function pump(): void {
  if (busy) return;
  const index = pending.findIndex(eligible);
  if (index < 0) return;
  const [req] = pending.splice(index, 1);
  busy = true;
  run(req!)
    .catch((err): WorkerResponse => ({ id: req!.id, ok: false, error: serialize(err) }))
    .then((response) => {
      busy = false;
      port.postMessage(response);
      pump();
    });
}

port.on('message', (req: WorkerRequest) => {
  pending.push(req);
  pump();
});
port.postMessage({ id: 0, ok: true });

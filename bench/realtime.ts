import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { buildApp } from '../packages/server/src/app.ts';
import { createLogger } from '../packages/server/src/logger.ts';
import { BACKENDS, eachBackend, type Backend } from './lib/backends.ts';
import { BenchUsageError, fmtInt, fmtMs, intEnv, machineLine, row } from './lib/common.ts';
import type { ClientsPlan, ClientsResult, Histogram } from './lib/realtime-clients.ts';

/**
 * Realtime delivery (SPEC §5): many WebSocket clients subscribed to `activity` while
 * activities are written at a steady rate through POST /api/v1/activities. Prints the
 * latency from a write request being sent to its event reaching a client (HTTP, commit,
 * the hub's ~20 ms batching and the socket), and the events lost, which must be 0.
 * The clients and the writer run in a worker thread, the server on the main thread.
 */

interface Settings {
  clients: number;
  rate: number;
  /** BENCH_WRITE=rest: one POST /activities per write; default: the tick's writes as one POST /ingest. */
  via: 'ingest' | 'rest';
  seconds: number;
  backends: string[];
}

function settings(): Settings {
  const backends = (process.env.BENCH_BACKENDS ?? 'pglite,postgres').split(',').map((b) => b.trim()).filter(Boolean);
  const unknown = backends.filter((b) => !BACKENDS.some((o) => o.name === b));
  if (unknown.length > 0) throw new BenchUsageError(`BENCH_BACKENDS: unknown ${unknown.join(', ')} (choose from ${BACKENDS.map((o) => o.name).join(', ')})`);
  return {
    clients: intEnv('BENCH_WS_CLIENTS', 1_000),
    rate: intEnv('BENCH_RATE', 500),
    via: process.env.BENCH_WRITE === 'rest' ? ('rest' as const) : ('ingest' as const),
    seconds: intEnv('BENCH_SECONDS', 30),
    backends,
  };
}

const COLUMNS: Array<[string, number]> = [
  ['backend', 9], ['writes/s', 9], ['deliveries', 11], ['lost', 5], ['dup', 4], ['order', 6], ['resync', 7],
  ['delivery p50 / p99 / max', 27], ['end-to-end p50 / p99 / max', 27],
];

/** Nearest-rank percentile from the worker's 0.1 ms histogram. */
function fromHistogram(histogram: Uint32Array, p: number): number {
  let total = 0;
  for (const count of histogram) total += count;
  if (total === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i]!;
    if (seen >= rank) return (i + 1) * 0.1;
  }
  return Number.NaN;
}

function latencies(h: Histogram): string {
  return `${fmtMs(fromHistogram(h.buckets, 50))} / ${fmtMs(fromHistogram(h.buckets, 99))} / ${fmtMs(h.maxMs)}`;
}

function runClients(plan: ClientsPlan): Promise<ClientsResult> {
  const worker = new Worker(new URL('./lib/realtime-clients.boot.mjs', import.meta.url), { workerData: plan });
  return new Promise<ClientsResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the client worker exited (${code}) before reporting`)));
  }).finally(() => worker.terminate());
}

async function benchBackend(backend: Backend, s: Settings): Promise<ClientsResult> {
  console.log(`-- ${backend.name}: ${backend.detail}`);
  const { app, services } = await buildApp({ db: backend.db, logger: createLogger('silent'), realtime: backend.realtime });
  try {
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    const tenant = await services.auth.ensureTenant(`bench-${randomBytes(4).toString('hex')}`);
    const { key } = await services.auth.createKey({ tenantId: tenant.id, name: 'bench', scopes: ['admin'] });
    const result = await runClients({ baseUrl, key, clients: s.clients, rate: s.rate, seconds: s.seconds, drainMs: 10_000, via: s.via });
    if (result.writeErrors > 0) throw new Error(`${result.writeErrors} writes failed; first: ${result.firstError}`);
    const cells = [
      backend.name, fmtInt(Math.round(result.written / result.writeSeconds)), fmtInt(result.received), fmtInt(result.lost),
      fmtInt(result.duplicates), fmtInt(result.outOfOrder), fmtInt(result.resyncs), latencies(result.delivery), latencies(result.endToEnd),
    ];
    console.log(row(cells.map((text, i) => [text, COLUMNS[i]![1]])));
    console.log(`   ${fmtInt(result.written)} activities in ${result.writeSeconds.toFixed(1)} s to ${fmtInt(s.clients)} clients (connected and subscribed in ${fmtMs(result.connectMs)})`);
    return result;
  } finally {
    await app.close();
  }
}

export async function main(): Promise<void> {
  const s = settings();
  console.log('Runlog realtime benchmark');
  console.log(machineLine());
  console.log(`${fmtInt(s.clients)} WebSocket clients on "activity"; activities at up to ${fmtInt(s.rate)}/s for ${s.seconds} s through ${s.via === 'ingest' ? 'POST /api/v1/ingest (the writes due every 10 ms as one batch)' : 'POST /api/v1/activities (one each)'}, at most 64 calls in flight`);
  console.log('delivery: activity created_at (its transaction, ms clock) → event at a client; end-to-end: write request sent → event at a client');
  console.log('lost: deliveries (writes × clients) missing after a 10 s drain; dup / order: repeated or out-of-order seqs (all must be 0)');
  console.log('');
  console.log(row(COLUMNS));
  let lost = 0;
  await eachBackend(s.backends, async (backend) => {
    const result = await benchBackend(backend, s);
    lost += result.lost + result.duplicates + result.outOfOrder;
  });
  console.log('');
  console.log(`events lost (all backends): ${fmtInt(lost)}${lost === 0 ? '' : '  <-- must be 0'}`);
}

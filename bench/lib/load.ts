import { Worker } from 'node:worker_threads';

/**
 * The HTTP load generator runs in a worker thread of its own: building bodies, fetch and
 * JSON parsing then do not share the server's event loop, so the figures measure the server
 * (on a small machine the threads still share the CPUs; the report says how many).
 */

export interface LoadTarget {
  baseUrl: string;
  key: string;
}

export type LoadPlan =
  | {
      kind: 'runs';
      target: LoadTarget;
      idPrefix: string;
      /** Runs created + completed before the clock starts (connections, JIT, caches). */
      warmup: number;
      count: number;
      clients: number;
    }
  | {
      kind: 'steps';
      target: LoadTarget;
      idPrefix: string;
      /** Batches sent to a run of their own before the clock starts. */
      warmupBatches: number;
      /** One run per client; each client sends its run's batches in order. */
      clients: number;
      batchesPerClient: number;
      batchSize: number;
    };

export interface LoadResult {
  elapsedMs: number;
  /** Latency of every measured request, in ms. */
  latencies: Float64Array;
  errors: number;
  firstError: string | null;
  /** Run ids the measured part wrote to. */
  runIds: string[];
}

/** Runs one plan in a fresh worker and resolves with its figures. */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const worker = new Worker(new URL('./load-worker.boot.mjs', import.meta.url), { workerData: plan });
  try {
    return await new Promise<LoadResult>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the load worker exited (${code}) before reporting`)));
    });
  } finally {
    // Its keep-alive sockets would keep it alive forever.
    await worker.terminate();
  }
}

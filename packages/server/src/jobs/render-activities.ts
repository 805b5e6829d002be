import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { EventBus } from '../realtime/event-bus.ts';
import { createRenderPipeline } from '../domain/rendering/render-pipeline.ts';
import type { KnownRenders } from '../domain/rendering/known-renders.ts';
import type { RenderingMetrics } from '../domain/rendering/rendering.metrics.ts';
import type { RenderingSettings } from '../domain/rendering/rendering.settings.ts';
import type { RenderSignal } from '../domain/rendering/render-signal.ts';

export interface RenderWorkerDeps {
  db: Database;
  bus: EventBus;
  logger: Logger;
  settings: RenderingSettings;
  metrics: RenderingMetrics;
  /** The renders this process knows, shared with the writer. */
  known: KnownRenders;
  /** Wakes the worker for work this process queued without writing an activity (a retry). */
  signal?: RenderSignal;
}

export interface RenderWorker {
  /** Something may be due now (this node wrote activities, or a retry was asked for). */
  wake(): void;
  stop(): Promise<void>;
}

const ERROR_PAUSE_MS = 1_000;

/**
 * The render worker (SPEC §6): loops that claim due activities in batches (PENDING ones and
 * PROCESSING ones whose lease expired), render and store them. This node's writes wake it
 * through the bus; work written by other nodes, retries after backoff and expired leases are
 * found by a short idle poll. Stopping hands claimed rows back as PENDING.
 */
export function startRenderWorker({ db, bus, logger, settings, metrics, known, signal }: RenderWorkerDeps): RenderWorker {
  if (settings.workers === 0) return { wake() {}, async stop() {} };
  const pipeline = createRenderPipeline({ db, bus, logger, settings, metrics, known });
  const abort = new AbortController();
  const sleepers = new Set<() => void>();
  /** A wake-up between a loop's claim and its sleep is not lost: it skips that sleep. */
  let wakes = 0;

  function wake() {
    wakes++;
    for (const done of sleepers) done();
  }

  function idle(ms: number, seen: number): Promise<void> {
    if (wakes !== seen || abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      }
      sleepers.add(done);
    });
  }

  async function loop() {
    while (!abort.signal.aborted) {
      const seen = wakes;
      let claimed = 0;
      try {
        claimed = await pipeline.pass(settings.batchSize, abort.signal);
      } catch (err) {
        if (abort.signal.aborted) break;
        logger.warn({ err }, 'render pass failed; its rows are claimed again when their lease expires');
        await idle(ERROR_PAUSE_MS, wakes);
        continue;
      }
      // A full batch means more may be due: go again at once.
      if (claimed < settings.batchSize) await idle(settings.pollMs, seen);
    }
  }

  const unsubscribeBus = bus.subscribe((event) => {
    // An activity stored COMPLETED (its shape known) or SKIPPED is no work.
    if (event.type === 'activity_created' && (event.data as { processing_status?: string }).processing_status === 'PENDING') wake();
  });
  const unsubscribeSignal = signal?.subscribe(wake);
  const loops = Array.from({ length: settings.workers }, () => loop());

  return {
    wake,
    async stop() {
      unsubscribeBus();
      unsubscribeSignal?.();
      abort.abort();
      wake();
      await Promise.allSettled(loops);
    },
  };
}

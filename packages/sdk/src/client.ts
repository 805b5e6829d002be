import { randomUUID } from 'node:crypto';
import { resolveConfig, type Config } from './config.js';
import { Delivery } from './delivery.js';
import { registerForExit, unregisterForExit, type ExitDrainable } from './exit-hooks.js';
import { RunHandle, type RunSink } from './run-handle.js';
import { RunlogDeliveryError, type ActivityOptions, type RunOptions, type RunlogOptions, type RunlogStats } from './types.js';
import { activityBody, encodeBody, isoTime, runCreateBody, type ItemType } from './wire.js';

/**
 * Records runs, steps and activities and sends them to a Runlog server in batches through
 * POST /api/v1/ingest. Nothing here throws into the caller's code because telemetry failed:
 * problems are counted in stats() and reported to onError.
 */
export class Runlog implements ExitDrainable {
  private readonly cfg: Config;
  private readonly delivery: Delivery;
  private readonly ticker: ReturnType<typeof setInterval>;
  /** Live runs and when something was last queued for each (heartbeats). */
  private readonly live = new Map<string, number>();
  private readonly sink: RunSink;
  private closing?: Promise<boolean>;
  private exitDrain?: Promise<unknown>;
  private exitDrainSeq = -1;

  constructor(options: RunlogOptions = {}) {
    this.cfg = resolveConfig(options);
    this.delivery = new Delivery(this.cfg, (e) => this.report(e));
    this.ticker = setInterval(() => this.tick(), this.cfg.flushIntervalMs);
    this.ticker.unref(); // never what keeps a process alive
    if (this.cfg.flushOnExit) registerForExit(this);
    this.sink = {
      send: (type, id, body, payload) => this.enqueue(type, id, body, payload),
      sendStep: (runId, step) => this.guard(() => {
        this.delivery.addStep(runId, encodeBody(step, []).json);
        this.touch(runId);
      }),
      runEnded: (runId) => this.live.delete(runId),
      internalError: (err) => this.internalError(err),
    };
  }

  /**
   * Runs fn as a recorded run: created (running) now, completed with fn's result as its
   * output, or failed with the error fn threw, which is then rethrown unchanged.
   */
  async run<T>(options: RunOptions, fn: (run: RunHandle) => T | Promise<T>): Promise<T> {
    const run = this.startRun(options);
    let result: T;
    try {
      result = await fn(run);
    } catch (err) {
      run.fail(err);
      throw err;
    }
    run.complete(result);
    return result;
  }

  /** Starts a run and returns its handle; end it with complete() or fail(). */
  startRun(options: RunOptions = {}): RunHandle {
    const id = options.id ?? randomUUID();
    const run = new RunHandle(id, options, this.sink);
    this.guard(() => {
      this.live.set(id, Date.now());
      const body = runCreateBody(id, options, isoTime(options.startedAt, new Date()));
      this.enqueue('run.create', id, body, ['input_data', 'metadata']);
    });
    return run;
  }

  /** Records an activity; returns its id. */
  activity(options: ActivityOptions): string {
    const id = options?.id ?? randomUUID();
    this.guard(() => this.enqueue('activity.create', id, activityBody(id, options, new Date()), ['data', 'data_schema']));
    return id;
  }

  /**
   * Sends what is queued now. Resolves true once everything queued before the call was
   * answered by the server (accepted or refused), false when timeoutMs passed first. Never rejects.
   */
  flush(timeoutMs = this.cfg.flushTimeoutMs): Promise<boolean> {
    return this.delivery.flush(timeoutMs).catch(() => false);
  }

  /**
   * Flushes (at most timeoutMs), then stops: what could not be sent is dropped and counted,
   * and records queued afterwards are dropped. Resolves true when nothing was left behind.
   */
  shutdown(timeoutMs = this.cfg.shutdownTimeoutMs): Promise<boolean> {
    this.closing ??= (async () => {
      clearInterval(this.ticker);
      const delivered = await this.flush(timeoutMs);
      this.delivery.close();
      unregisterForExit(this);
      return delivered;
    })().catch(() => false);
    return this.closing;
  }

  stats(): RunlogStats {
    return this.delivery.stats();
  }

  /** @internal process exit: flush once more (bounded) unless nothing new was queued since the last try. */
  drainForExit(final: boolean): Promise<unknown> {
    if (this.exitDrain) return this.exitDrain;
    const seq = this.delivery.lastSeq;
    if (this.delivery.queued() === 0 || (!final && seq === this.exitDrainSeq)) return Promise.resolve();
    this.exitDrainSeq = seq;
    this.exitDrain = this.flush(this.cfg.shutdownTimeoutMs).finally(() => {
      this.exitDrain = undefined;
    });
    return this.exitDrain;
  }

  private tick(): void {
    this.guard(() => {
      const now = Date.now();
      const every = this.cfg.heartbeatIntervalMs;
      if (every > 0) {
        for (const [id, last] of this.live) {
          if (now - last >= every) this.enqueue('run.heartbeat', id, undefined);
        }
      }
      this.delivery.kick();
    });
  }

  private enqueue(type: ItemType, id: string, body: Record<string, unknown> | undefined, payload: readonly string[] = []): void {
    this.guard(() => {
      let json: string | undefined;
      if (body) {
        const encoded = encodeBody(body, payload);
        json = encoded.json;
        if (encoded.problem) {
          this.report(new RunlogDeliveryError(`${type} ${id}: a payload could not be encoded as JSON and is sent as null (${encoded.problem})`, 'unserializable', { itemType: type, itemId: id }));
        }
      }
      this.delivery.add(type, id, json);
      this.touch(id);
    });
  }

  private touch(runId: string): void {
    if (this.live.has(runId)) this.live.set(runId, Date.now());
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.internalError(err);
    }
  }

  private internalError(err: unknown): void {
    this.report(new RunlogDeliveryError(`internal error: ${String((err as Error)?.message ?? err)}`, 'dropped'));
  }

  private report(error: RunlogDeliveryError): void {
    try {
      this.cfg.onError?.(error);
    } catch {
      // a throwing onError must not break delivery
    }
  }
}

import type { Config } from './config.js';
import { BoundedQueue, encodeEntry, type Entry } from './queue.js';
import { retryDelay } from './retry.js';
import { postBatch, type SendOutcome, type Transport } from './transport.js';
import { RunlogDeliveryError, type RunlogStats } from './types.js';
import type { ItemResult, ItemType } from './wire.js';

interface Waiter {
  target: number;
  resolve: (delivered: boolean) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The queue and its sender. One request at a time, oldest items first: a batch that failed
 * is sent again, unchanged but for items dropped meanwhile, before anything newer, so the
 * server sees a run's create before its steps and its end.
 */
export class Delivery {
  private readonly queue = new BoundedQueue();
  private readonly transport: Transport;
  private inflight: Entry[] = [];
  private inflightRecords = 0;
  private seq = 0;
  private readonly counters = { sent: 0, dropped: 0, retries: 0, rejected: 0 };
  private attempt = 0;
  private sending = false;
  /** Send what is queued now, not only full batches (the interval, flush, shutdown). */
  private due = false;
  private waitTimer?: ReturnType<typeof setTimeout>;
  private readonly waiters = new Set<Waiter>();
  private overflowReported = false;
  private closed = false;

  constructor(
    private readonly cfg: Config,
    private readonly report: (error: RunlogDeliveryError) => void,
  ) {
    this.transport = { endpoint: cfg.endpoint, apiKey: cfg.apiKey, timeoutMs: cfg.requestTimeoutMs, fetch: cfg.fetch };
  }

  get lastSeq(): number {
    return this.seq;
  }

  stats(): RunlogStats {
    return { queued: this.queued(), ...this.counters };
  }

  queued(): number {
    return this.queue.records + this.inflightRecords;
  }

  add(type: ItemType, id: string, body: string | undefined): void {
    if (this.refuse()) return;
    this.makeRoom();
    const bytes = Buffer.byteLength(body ?? '') + Buffer.byteLength(id) + 48;
    this.queue.push({ seq: ++this.seq, type, id, body, records: 1, bytes });
    this.afterAdd();
  }

  addStep(runId: string, step: string): void {
    if (this.refuse()) return;
    this.makeRoom();
    const bytes = Buffer.byteLength(step);
    this.seq += 1;
    if (!this.queue.mergeStep(runId, step, bytes, this.cfg.maxBatchBytes)) {
      const head = Buffer.byteLength(runId) + 64;
      this.queue.push({ seq: this.seq, type: 'steps.append', id: runId, steps: [step], records: 1, bytes: head + bytes });
    }
    this.afterAdd();
  }

  /** Sends now; resolves true once everything queued before the call is answered, false at the timeout. */
  flush(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const target = this.seq;
      if (this.oldestSeq() > target) return resolve(true);
      // This timer is not unref'd: while someone awaits a flush the process stays up, so
      // the (unref'd) retry timers still fire.
      const waiter: Waiter = { target, resolve, timer: setTimeout(() => this.release(waiter, false), timeoutMs) };
      this.waiters.add(waiter);
      this.kick();
    });
  }

  /** Starts sending what is queued. */
  kick(): void {
    this.due = true;
    void this.pump();
  }

  /** Stops for good: whatever is still queued is dropped and counted. */
  close(): void {
    this.closed = true;
    clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    const left = [...this.inflight];
    while (this.queue.length > 0) left.push(this.queue.shift()!);
    this.inflight = [];
    this.inflightRecords = 0;
    const records = this.dropEntries(left);
    if (records > 0) this.report(new RunlogDeliveryError(`${records} records were still queued at shutdown and are dropped`, 'dropped', { count: records }));
    this.settle();
  }

  private refuse(): boolean {
    if (!this.closed) return false;
    this.counters.dropped += 1;
    return true;
  }

  private afterAdd(): void {
    if (this.queue.length >= this.cfg.maxBatchSize && !this.sending) void this.pump();
  }

  /** Keeps at most maxQueueSize records: the oldest go first, the in-flight batch last. */
  private makeRoom(): void {
    let freed = 0;
    while (this.queued() + 1 > this.cfg.maxQueueSize) {
      let victim = this.queue.shift();
      if (!victim) {
        victim = this.inflight.shift();
        if (!victim) break;
        this.inflightRecords -= victim.records;
      }
      freed += this.dropEntries([victim]);
    }
    if (freed > 0 && !this.overflowReported) {
      this.overflowReported = true;
      this.report(new RunlogDeliveryError(`queue full (maxQueueSize ${this.cfg.maxQueueSize}): dropping the oldest records`, 'dropped', { count: freed }));
    }
  }

  private sum(entries: Entry[]): number {
    return entries.reduce((n, e) => n + e.records, 0);
  }

  private dropEntries(entries: Entry[]): number {
    let records = 0;
    for (const e of entries) {
      if (e.dropped) continue;
      e.dropped = true;
      records += e.records;
    }
    this.counters.dropped += records;
    return records;
  }

  private oldestSeq(): number {
    return this.inflight[0]?.seq ?? this.queue.first()?.seq ?? Infinity;
  }

  private release(waiter: Waiter, delivered: boolean): void {
    if (!this.waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    waiter.resolve(delivered);
  }

  private settle(): void {
    const oldest = this.oldestSeq();
    for (const w of this.waiters) if (w.target < oldest) this.release(w, true);
  }

  private shouldSend(): boolean {
    if (this.closed) return false;
    if (this.queue.length === 0 && this.inflight.length === 0) this.due = false;
    return this.inflight.length > 0 || this.queue.length >= this.cfg.maxBatchSize || (this.due && this.queue.length > 0);
  }

  private async pump(): Promise<void> {
    if (this.sending || this.waitTimer) return;
    this.sending = true;
    try {
      while (this.shouldSend()) {
        if (this.inflight.length === 0) {
          this.inflight = this.queue.takeBatch(this.cfg.maxBatchSize, this.cfg.maxBatchBytes);
          this.inflightRecords = this.sum(this.inflight);
        }
        const batch = this.inflight.slice();
        const outcome = await postBatch(this.transport, `{"items":[${batch.map(encodeEntry).join(',')}]}`, batch.length);
        if (!this.handle(batch, outcome)) break;
        this.settle();
      }
    } catch (err) {
      this.report(new RunlogDeliveryError(`internal error while sending: ${String((err as Error)?.message ?? err)}`, 'dropped'));
    } finally {
      this.sending = false;
      this.settle();
    }
  }

  /** Applies one request's outcome; false when the batch waits for a retry. */
  private handle(batch: Entry[], outcome: SendOutcome): boolean {
    if (outcome.kind === 'retry') {
      if (this.inflight.length === 0 || this.closed) return true;
      this.attempt += 1;
      this.counters.retries += 1;
      const delay = retryDelay(this.attempt, this.cfg.retryBaseMs, this.cfg.retryMaxMs, outcome.retryAfterMs);
      this.waitTimer = setTimeout(() => {
        this.waitTimer = undefined;
        void this.pump();
      }, delay);
      this.waitTimer.unref();
      return false;
    }
    this.attempt = 0;
    if (outcome.kind === 'too-large' && this.inflight.length > 1) {
      // Halve the batch and keep the order: the second half goes back to the front of the queue.
      const half = Math.ceil(this.inflight.length / 2);
      this.queue.unshift(this.inflight.slice(half));
      this.inflight = this.inflight.slice(0, half);
      this.inflightRecords = this.sum(this.inflight);
      return true;
    }
    if (outcome.kind === 'ok') this.countResults(batch, outcome.results);
    else this.rejectAll(batch, outcome.kind === 'reject' ? outcome : { status: 413, message: 'HTTP 413: item larger than the server takes' });
    this.inflight = [];
    this.inflightRecords = 0;
    this.overflowReported = false;
    return true;
  }

  private countResults(batch: Entry[], results: ItemResult[]): void {
    batch.forEach((entry, i) => {
      if (entry.dropped) return;
      const r = results[i]!;
      if (r.status < 300) {
        this.counters.sent += entry.records;
        return;
      }
      this.counters.rejected += entry.records;
      this.report(new RunlogDeliveryError(`${entry.type} ${entry.id} refused (${r.status} ${r.error ?? ''}): ${r.message ?? ''}`.trim(), 'rejected', {
        status: r.status, code: r.error, itemType: entry.type, itemId: entry.id, count: entry.records,
      }));
    });
  }

  private rejectAll(batch: Entry[], o: { status: number; code?: string; message: string }): void {
    const records = batch.filter((e) => !e.dropped).reduce((n, e) => n + e.records, 0);
    this.counters.rejected += records;
    this.report(new RunlogDeliveryError(`a batch of ${records} records was refused: ${o.message}`, 'rejected', { status: o.status, code: o.code, count: records }));
  }
}

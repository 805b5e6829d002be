import type { Database, Queryable } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import type { LiveEvent } from '../../events/live-events.ts';
import type { PricingService } from '../pricing/pricing.service.ts';
import type { Intent, IntentResult } from './intents.ts';
import { createWriter, type RendersAtWrite, type WriteOutcome } from './writer.ts';

export interface WriteServiceDeps {
  db: Database;
  pricing: PricingService;
  publish: (events: LiveEvent[]) => void;
  rendersAtWrite?: RendersAtWrite;
  /** How long the first intent of an idle tenant waits for company; 0 = the next turn of the event loop. */
  windowMs?: number;
  /** Intents in one transaction at most. */
  maxGroup?: number;
  /** Intents waiting per tenant at most; beyond, a request is refused with 503 rather than queued without end. */
  maxWaiting?: number;
  /**
   * Groups of one tenant in flight at once on this node. The next group starts while the one
   * before commits and waits for it only at the seq lock, so a commit's round trips and fsync
   * overlap the next group's work. PGlite has one connection, so a second group there could
   * only wait: it takes 1, and whoever arrives meanwhile joins one larger group instead.
   */
  maxInFlight?: number;
  /** Called after each group commits or fails (metrics). */
  onGroup?: (size: number, ms: number, ok: boolean) => void;
}

interface Waiting {
  intent: Intent;
  resolve: (result: IntentResult) => void;
  reject: (err: unknown) => void;
}

interface TenantLine {
  waiting: Waiting[];
  inFlight: number;
  scheduled: boolean;
}

/** A failed intent as the error its REST route throws. */
export function orThrow(result: IntentResult): IntentResult {
  if (result.status < 400) return result;
  throw new AppError(result.status, result.error ?? 'error', result.message ?? 'the write was refused', result.details);
}

/** Deadlock and serialization failures roll the whole transaction back: running it again is safe. */
const RETRYABLE = new Set(['40P01', '40001']);
async function retryConflicts<T>(attempt: () => Promise<T>, tries = 3): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= tries || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
    }
  }
}

/**
 * Group commit (SPEC §5): concurrent single writes of one tenant share a transaction, so the
 * seq lock, the commit's fsync and PGlite's per-statement cost are paid once per group. At
 * most `maxInFlight` groups per tenant are in flight on a node; what arrives meanwhile waits
 * and forms the next group, so groups grow with load and a lone request waits only for the
 * next tick. Groups commit in the order they take the seq lock, so seqs stay gap-free in
 * commit order. Every intent gets its own answer once its group has committed; a group that
 * fails answers every member with the error and writes nothing.
 */
export function createWriteService({
  db, pricing, publish, rendersAtWrite, windowMs = 0, maxGroup = 500, maxWaiting = 20_000, maxInFlight = db.kind === 'pglite' ? 1 : 2, onGroup = () => {},
}: WriteServiceDeps) {
  const writer = createWriter({ pricing, rendersAtWrite });
  const lines = new Map<string, TenantLine>();

  function schedule(tenantId: string, line: TenantLine, wait: number) {
    if (line.inFlight >= maxInFlight || line.scheduled) return;
    line.scheduled = true;
    const go = () => {
      line.scheduled = false;
      void flush(tenantId, line);
    };
    if (wait > 0 && line.waiting.length < maxGroup) setTimeout(go, wait);
    else setImmediate(go);
  }

  async function flush(tenantId: string, line: TenantLine) {
    const group = line.waiting.splice(0, maxGroup);
    const intents = group.map((w) => w.intent);
    line.inFlight++;
    const started = performance.now();
    try {
      // A group that is one statement (activities only) is atomic without BEGIN and COMMIT.
      const outcome = await retryConflicts(() => (writer.oneStatement(intents)
        ? writer.apply(db, tenantId, intents)
        : db.transaction((tx) => writer.apply(tx, tenantId, intents))));
      onGroup(group.length, performance.now() - started, true);
      publish(outcome.events);
      group.forEach((w, i) => w.resolve(outcome.results[i]!));
    } catch (err) {
      onGroup(group.length, performance.now() - started, false);
      for (const w of group) w.reject(err);
    } finally {
      line.inFlight--;
      // Those who arrived during this group have waited already: they go at once.
      if (line.waiting.length > 0) schedule(tenantId, line, 0);
      else if (line.inFlight === 0) lines.delete(tenantId);
    }
  }

  return {
    /** One intent, coalesced with the tenant's other writes; resolves after its group commits. */
    submit(intent: Intent): Promise<IntentResult> {
      const tenantId = intent.auth.tenantId;
      let line = lines.get(tenantId);
      if (!line) lines.set(tenantId, (line = { waiting: [], inFlight: 0, scheduled: false }));
      if (line.waiting.length >= maxWaiting) {
        return Promise.reject(new AppError(503, 'overloaded', 'too many writes are waiting for this tenant; retry shortly'));
      }
      return new Promise((resolve, reject) => {
        line.waiting.push({ intent, resolve, reject });
        schedule(tenantId, line, windowMs);
      });
    },

    /**
     * Intents in a transaction of their own (a whole /ingest batch, a notification, an
     * execution); `inTx` runs in the same transaction after them (a memo, a job to enqueue).
     */
    async transact<T>(
      tenantId: string, intents: readonly Intent[], inTx?: (tx: Queryable, outcome: WriteOutcome) => Promise<T>,
    ): Promise<WriteOutcome & { extra: T | undefined }> {
      const outcome = await retryConflicts(() => db.transaction(async (tx) => {
        const written = await writer.apply(tx, tenantId, intents);
        return { ...written, extra: await inTx?.(tx, written) };
      }));
      publish(outcome.events);
      return outcome;
    },

    /** Inside a transaction the caller owns; the caller publishes `events` after its commit. */
    apply: (tx: Queryable, tenantId: string, intents: readonly Intent[]) => writer.apply(tx, tenantId, intents),
  };
}

export type WriteService = ReturnType<typeof createWriteService>;

import type { Database } from '../../db/database.ts';
import type { LiveEvent } from '../../events/live-events.ts';
import { hashOf } from '../../lib/stable-json.ts';
import { describeValidation, lazyValidator, validatorsFor } from '../../lib/validation.ts';
import type { AuthContext } from '../../domain/auth/auth.types.ts';
import type { Intent, IntentResult } from '../../domain/write/intents.ts';
import type { WriteService } from '../../domain/write/write.service.ts';
import * as repo from './batch.repository.ts';
import { BatchItem, ITEM_BODIES, type ItemResult, type ItemType } from './batch.schemas.ts';

export interface BatchServiceDeps {
  db: Database;
  writes: Pick<WriteService, 'apply'>;
  publish: (events: LiveEvent[]) => void;
}

interface Item {
  index: number;
  type: ItemType;
  id: string;
  body: Record<string, unknown>;
}

// The API's own rules (lib/validation), as the REST routes apply them to the same bodies.
const rules = validatorsFor({});
const validateEnvelope = lazyValidator(rules, BatchItem, 'body');
const validators = Object.fromEntries(
  Object.entries(ITEM_BODIES).map(([type, schema]) => [type, lazyValidator(rules, schema, 'body')]),
) as Record<ItemType, ReturnType<typeof lazyValidator>>;

/** Checks an item's envelope and body; returns the item, or its 400 result. */
function parse(raw: unknown, index: number): Item | ItemResult {
  if (!validateEnvelope(raw)) return { index, status: 400, ...describeValidation(validateEnvelope.errors!, `items[${index}]`) };
  const item = raw as BatchItem;
  const body = item.body ?? {};
  const validate = validators[item.type];
  if (!validate(body)) return { index, status: 400, id: item.id, ...describeValidation(validate.errors!, `items[${index}].body`) };
  if (item.type === 'run.create' && body.id !== undefined && body.id !== item.id) {
    return { index, status: 400, id: item.id, error: 'validation_error', message: `items[${index}].body.id must equal items[${index}].id` };
  }
  return { index, type: item.type, id: item.id, body };
}

/** An intent's answer as the batch reports it. */
function itemResult(index: number, r: IntentResult): ItemResult {
  return r.status < 400 ? { index, status: r.status, id: r.id } : { index, status: r.status, id: r.id, error: r.error, message: r.message };
}

export function createBatchService({ db, writes, publish }: BatchServiceDeps) {
  return {
    /**
     * POST /ingest: every item gets the answer its REST route would give, in item order, and
     * everything acknowledged is committed in one transaction through the one writer
     * (set-based: one statement per kind of row, whatever the batch size). A resend of the
     * same batch answers the stored results and writes nothing.
     */
    async ingest(auth: AuthContext, raw: unknown[]): Promise<ItemResult[]> {
      const hash = hashOf(raw);
      const parsed = raw.map(parse);
      const items = parsed.filter((p): p is Item => 'type' in p);
      const heartbeatsOnly = items.length > 0 && items.length === raw.length && items.every((item) => item.type === 'run.heartbeat');
      const intents: Intent[] = items.map((item) => ({ type: item.type, id: item.id, body: item.body, auth, at: `items[${item.index}].body.` }));
      const outcome = await db.transaction(async (tx) => {
        // Heartbeats are sent again on purpose and change only last_seen_at: a batch of nothing
        // else is applied every time, never answered from the memo of an earlier one.
        const memo = heartbeatsOnly ? null : await repo.findBatch(tx, auth.tenantId, hash);
        if (memo) return { replayed: memo } as const;
        const written = await writes.apply(tx, auth.tenantId, intents);
        const results = parsed.map((p) => ('type' in p ? (undefined as never) : p));
        items.forEach((item, n) => (results[item.index] = itemResult(item.index, written.results[n]!)));
        if (!heartbeatsOnly) await repo.saveBatch(tx, auth.tenantId, hash, results);
        return { results, events: written.events };
      });
      if ('replayed' in outcome) return outcome.replayed!;
      publish(outcome.events);
      // Memos live a day; pruning now and then keeps the table small without a scheduler.
      if (Math.random() < 0.01) repo.pruneBatches(db).catch(() => {});
      return outcome.results;
    },
  };
}

export type BatchService = ReturnType<typeof createBatchService>;

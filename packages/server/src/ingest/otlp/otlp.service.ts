import type { Database } from '../../db/database.ts';
import type { AuthContext } from '../../domain/auth/auth.types.ts';
import type { BatchService } from '../batch/batch.service.ts';
import { MAX_BATCH_ITEMS, type ItemResult } from '../batch/batch.schemas.ts';
import { mapSpan, type MappedSpan, type OtlpSpan } from './genai.mapping.ts';
import { attributes, type KeyValue } from './otlp.values.ts';
import * as repo from './otlp.repository.ts';
import { planTrace, type PlanItem, type StoredSpan } from './trace.plan.ts';

export interface OtlpServiceDeps {
  db: Database;
  batch: Pick<BatchService, 'ingest'>;
}

/** What an export answers: how many items were refused, and a message naming them. */
export interface ExportOutcome {
  rejected: number;
  message: string;
}

interface TraceRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] | null } | null; scopeSpans?: { spans?: OtlpSpan[] | null }[] | null }[] | null;
}

const NAMED_MAX = 5;

/** Names the first few refused items; the count says how many in all. */
export function describeRejections(count: number, reasons: string[], what: string): ExportOutcome {
  if (count === 0) return { rejected: 0, message: '' };
  const named = reasons.slice(0, NAMED_MAX).join('; ');
  const more = reasons.length > NAMED_MAX ? `; and ${reasons.length - NAMED_MAX} more` : '';
  return { rejected: count, message: `${count} ${what}${count === 1 ? '' : 's'} rejected: ${named}${more}` };
}

function collect(request: TraceRequest): { spans: MappedSpan[]; invalid: number } {
  const byKey = new Map<string, MappedSpan>();
  let invalid = 0;
  for (const rs of request.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const mapped = mapSpan(span, resource);
        if (mapped) byKey.set(`${mapped.traceId}:${mapped.spanId}`, mapped);
        else invalid += 1;
      }
    }
  }
  return { spans: [...byKey.values()], invalid };
}

function groupByTrace(spans: StoredSpan[]): Map<string, StoredSpan[]> {
  const traces = new Map<string, StoredSpan[]>();
  for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
  return traces;
}

/** An end request repeated after it was committed answers 409 (the run already ended): it is written. */
function refused(item: PlanItem, result: ItemResult | undefined): boolean {
  if (!result || result.status < 400) return false;
  return !(result.status === 409 && (item.type === 'run.complete' || item.type === 'run.fail'));
}

export function createOtlpService({ db, batch }: OtlpServiceDeps) {
  /** Sends the items in order, at most a batch at a time; each result is matched to its item. */
  async function write(auth: AuthContext, items: PlanItem[]): Promise<(ItemResult | undefined)[]> {
    const results: (ItemResult | undefined)[] = [];
    for (let i = 0; i < items.length; i += MAX_BATCH_ITEMS) {
      const chunk = items.slice(i, i + MAX_BATCH_ITEMS);
      const answered = await batch.ingest(auth, chunk.map(({ type, id, body }) => ({ type, id, body })));
      for (const r of answered) results[i + r.index] = r;
    }
    return results;
  }

  return {
    /**
     * POST /v1/traces: stores the spans by id, works out which runs and steps they complete
     * (trace.plan.ts) under a per-trace lock, then writes those through the batch writer. A span
     * is marked written only after that commit, so an export that failed half-way is completed
     * by its retry with the same run ids and step numbers (nothing doubles).
     */
    async exportTraces(auth: AuthContext, request: TraceRequest): Promise<ExportOutcome> {
      const { spans, invalid } = collect(request);
      const reasons = invalid > 0 ? [`${invalid} span(s) without a valid trace id and span id`] : [];
      if (spans.length === 0) return describeRejections(invalid, reasons, 'span');
      const traceIds = [...new Set(spans.map((s) => s.traceId))].sort();
      const items = await db.transaction(async (tx) => {
        await repo.lockTraces(tx, auth.tenantId, traceIds);
        await repo.insertSpans(tx, auth.tenantId, spans);
        const plans = [...groupByTrace(await repo.loadTraces(tx, auth.tenantId, traceIds)).values()].map(planTrace);
        await repo.numberSteps(tx, auth.tenantId, plans.flatMap((p) => p.numbered));
        return plans.flatMap((p) => p.items);
      });
      if (items.length === 0) return describeRejections(invalid, reasons, 'span');
      const results = await write(auth, items);
      let rejected = invalid;
      items.forEach((item, n) => {
        if (!refused(item, results[n])) return;
        rejected += Math.max(1, item.spans.length);
        const r = results[n]!;
        reasons.push(`${item.type} ${item.id}${item.spans[0] ? ` (span ${item.spans[0].spanId})` : ''}: ${r.message ?? r.error}`);
      });
      await repo.markWritten(db, auth.tenantId, items.flatMap((i) => i.spans));
      // Spans live a week; pruning now and then keeps the table bounded without a scheduler.
      if (Math.random() < 0.001) repo.pruneSpans(db).catch(() => {});
      return describeRejections(rejected, reasons, 'span');
    },
  };
}

export type OtlpService = ReturnType<typeof createOtlpService>;

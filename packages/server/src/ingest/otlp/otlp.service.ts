import type { Database } from '../../db/database.ts';
import type { AuthContext } from '../../domain/auth/auth.types.ts';
import type { IntentResult } from '../../domain/write/intents.ts';
import type { WriteService } from '../../domain/write/write.service.ts';
import type { LiveEvent } from '../../events/live-events.ts';
import { mapSpan, type MappedSpan, type OtlpSpan } from './genai.mapping.ts';
import { attributes, type KeyValue } from './otlp.values.ts';
import * as repo from './otlp.repository.ts';
import { planTrace, type StoredSpan } from './trace.plan.ts';

export interface OtlpServiceDeps {
  db: Database;
  writes: Pick<WriteService, 'apply'>;
  publish: (events: LiveEvent[]) => void;
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
  for (const span of spans) {
    const list = traces.get(span.traceId);
    if (list) list.push(span);
    else traces.set(span.traceId, [span]);
  }
  return traces;
}

function toStored(span: MappedSpan): StoredSpan {
  return {
    traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, startNs: span.startNs,
    facts: { ...span.facts, root: span.root }, stepRunId: null, stepIndex: null, written: false, runWritten: false,
  };
}

function refused(result: IntentResult | undefined): boolean {
  return result !== undefined && result.status >= 400;
}

export function createOtlpService({ db, writes, publish }: OtlpServiceDeps) {
  return {
    /**
     * POST /v1/traces: in one transaction, under a lock per trace, reads what the traces
     * hold already, works out which runs and steps the new spans complete (trace.plan.ts),
     * stores the spans by id and writes the runs and steps through the one writer as
     * intents, like /ingest items. A re-exported span is found stored and
     * changes nothing; a failed export writes nothing and its retry starts over.
     */
    async exportTraces(auth: AuthContext, request: TraceRequest): Promise<ExportOutcome> {
      const { spans, invalid } = collect(request);
      const reasons = invalid > 0 ? [`${invalid} span(s) without a valid trace id, span id and start time`] : [];
      if (spans.length === 0) return describeRejections(invalid, reasons, 'span');
      const traceIds = [...new Set(spans.map((s) => s.traceId))].sort();
      const { items, results, events } = await db.transaction(async (tx) => {
        await repo.lockTraces(tx, auth.tenantId, traceIds);
        const stored = await repo.loadTraces(tx, auth.tenantId, traceIds);
        const known = new Set(stored.map((s) => `${s.traceId}:${s.spanId}`));
        const fresh = spans.filter((s) => !known.has(`${s.traceId}:${s.spanId}`)).map(toStored);
        const plans = [...groupByTrace([...stored, ...fresh]).values()].map(planTrace);
        const planned = plans.flatMap((p) => p.items);
        // A refused item is final too (the same spans would be refused again): never sent twice.
        const touched = new Set(plans.flatMap((p) => p.numbered));
        for (const item of planned) {
          for (const span of item.spans) {
            if (item.type === 'run.create') span.runWritten = true;
            else span.written = true;
            touched.add(span);
          }
        }
        // New spans go in with their number and state; only spans stored before are updated.
        const isFresh = new Set(fresh);
        await repo.insertSpans(tx, auth.tenantId, fresh);
        await repo.updateSpans(tx, auth.tenantId, [...touched].filter((s) => !isFresh.has(s)));
        if (planned.length === 0) return { items: planned, results: [], events: [] };
        const written = await writes.apply(tx, auth.tenantId, planned.map(({ type, id, body }) => ({ type, id, body, auth, at: '' })));
        return { items: planned, results: written.results, events: written.events };
      });
      publish(events);
      let rejected = invalid;
      items.forEach((item, n) => {
        if (!refused(results[n])) return;
        rejected += Math.max(1, item.spans.length);
        const r = results[n]!;
        reasons.push(`${item.type} ${item.id}${item.spans[0] ? ` (span ${item.spans[0].spanId})` : ''}: ${r.message ?? r.error}`);
      });
      // Spans live a week; pruning now and then keeps the table bounded without a scheduler.
      if (Math.random() < 0.001) repo.pruneSpans(db).catch(() => {});
      return describeRejections(rejected, reasons, 'span');
    },
  };
}

export type OtlpService = ReturnType<typeof createOtlpService>;

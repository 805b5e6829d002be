import type { Queryable } from '../../db/database.ts';
import type { StoredSpan } from './trace.plan.ts';

/**
 * Serialises the exports that touch the same traces (numbering a run's steps must see the
 * previous export's numbers), in trace order so two exports never wait on each other in a
 * circle. Transaction-scoped: released at commit.
 */
export async function lockTraces(tx: Queryable, tenantId: string, traceIds: readonly string[]): Promise<void> {
  await tx.query(
    `SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || t, 0)) FROM unnest($2::text[]) AS t ORDER BY t`,
    [tenantId, traceIds],
  );
}

/**
 * A span with nothing left to write keeps only what later spans of its trace read: whether
 * it is an agent, a root, and what kind of step (the trace's shape). The rest is in its run.
 */
function storedFacts(s: StoredSpan): unknown {
  const done = (s.written || !s.facts.kind) && (s.runWritten || !(s.facts.agent || s.facts.root));
  return done ? { agent: s.facts.agent, root: s.facts.root, kind: s.facts.kind } : s.facts;
}

/** Spans not stored yet, with their number and state; a span id stored meanwhile is skipped. */
export async function insertSpans(tx: Queryable, tenantId: string, spans: readonly StoredSpan[]): Promise<void> {
  if (spans.length === 0) return;
  const rows = spans.map((s) => ({
    trace_id: s.traceId, span_id: s.spanId, parent_span_id: s.parentSpanId, start_ns: s.startNs.toString(), span: storedFacts(s),
    step_run_id: s.stepRunId, step_index: s.stepIndex, written: s.written, run_written: s.runWritten,
  }));
  await tx.query(
    `INSERT INTO otlp_spans (tenant_id, trace_id, span_id, parent_span_id, start_ns, span, step_run_id, step_index, written, run_written)
     SELECT $1, r.trace_id, r.span_id, r.parent_span_id, r.start_ns, r.span, r.step_run_id, r.step_index, r.written, r.run_written
     FROM jsonb_to_recordset($2::jsonb) AS r(trace_id text, span_id text, parent_span_id text, start_ns bigint, span jsonb,
       step_run_id text, step_index int, written boolean, run_written boolean)
     ON CONFLICT DO NOTHING`,
    [tenantId, JSON.stringify(rows)],
  );
}

/** Every stored span of the traces (primary key prefix): the plan needs each one's parent. */
export async function loadTraces(tx: Queryable, tenantId: string, traceIds: readonly string[]): Promise<StoredSpan[]> {
  const { rows } = await tx.query<{
    trace_id: string; span_id: string; parent_span_id: string | null; start_ns: string; span: StoredSpan['facts'];
    step_run_id: string | null; step_index: number | null; written: boolean; run_written: boolean;
  }>(
    `SELECT trace_id, span_id, parent_span_id, start_ns::text AS start_ns, span, step_run_id, step_index, written, run_written
     FROM otlp_spans WHERE tenant_id = $1 AND trace_id = ANY($2::text[])`,
    [tenantId, traceIds],
  );
  return rows.map((r) => ({
    traceId: r.trace_id, spanId: r.span_id, parentSpanId: r.parent_span_id, startNs: BigInt(r.start_ns), facts: r.span,
    stepRunId: r.step_run_id, stepIndex: r.step_index, written: r.written, runWritten: r.run_written,
  }));
}

/** Stored spans numbered or written now (primary-key hits). */
export async function updateSpans(tx: Queryable, tenantId: string, spans: readonly StoredSpan[]): Promise<void> {
  if (spans.length === 0) return;
  const rows = spans.map((s) => ({
    trace_id: s.traceId, span_id: s.spanId, step_run_id: s.stepRunId, step_index: s.stepIndex, written: s.written, run_written: s.runWritten,
  }));
  await tx.query(
    `UPDATE otlp_spans AS t SET step_run_id = r.step_run_id, step_index = r.step_index, written = r.written, run_written = r.run_written
     FROM jsonb_to_recordset($2::jsonb) AS r(trace_id text, span_id text, step_run_id text, step_index int, written boolean, run_written boolean)
     WHERE t.tenant_id = $1 AND t.trace_id = r.trace_id AND t.span_id = r.span_id`,
    [tenantId, JSON.stringify(rows)],
  );
}

/** Spans are kept a week: long enough for the late children of any run. */
export async function pruneSpans(db: Queryable): Promise<void> {
  await db.query(`DELETE FROM otlp_spans WHERE received_at < now() - interval '7 days'`);
}

import type { StepInput } from '../../domain/runs/runs.schemas.ts';
import type { SpanFacts, Usage } from './genai.mapping.ts';

/**
 * Which /ingest items the spans of a trace stored so far call for (pure; see otlp.service.ts).
 *
 * - A run span (an agent invocation, or the span that starts the trace here) is a run, written
 *   once it has arrived: created, its steps, then completed or failed, in one batch.
 * - A step span (model call, tool call, nested agent) belongs to the nearest run span above
 *   it. It waits while a span between them is missing, so steps that arrive before their run
 *   are numbered together with it, in start order. Steps arriving after their run was written
 *   are appended after its last step.
 * - A trace root that is not an agent becomes a run only when steps belong to it (a lone model
 *   call is a run of one step; a plain HTTP request is nothing).
 * - Numbers once given are kept, and spans are marked written with their intents, in the
 *   same transaction: nothing is sent twice.
 */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  startNs: bigint;
  facts: SpanFacts & { root: boolean };
  stepRunId: string | null;
  stepIndex: number | null;
  /** Its step (as a step of the run above it) went to the writer. */
  written: boolean;
  /** Its own run (as a run span) went to the writer. */
  runWritten: boolean;
}

export interface PlanItem {
  type: 'run.create' | 'steps.append' | 'run.complete' | 'run.fail';
  id: string;
  body: Record<string, unknown>;
  /** Step spans this item writes, or the run span of a run.create (for partial_success and the written flags). */
  spans: StoredSpan[];
}

export interface TracePlan {
  items: PlanItem[];
  /** Step spans numbered now (their stepRunId and stepIndex are set). */
  numbered: StoredSpan[];
}

export const OTLP_SOURCE = 'otlp';
export const MAX_STEPS_PER_ITEM = 1000;

export function runIdOf(span: Pick<StoredSpan, 'traceId' | 'spanId'>): string {
  return `otlp-${span.traceId}-${span.spanId}`;
}

const isRunSpan = (s: StoredSpan) => s.facts.agent || s.facts.root;

/** The run span a step span belongs to: a span, null when it has none, undefined while an ancestor is missing. */
function ownerOf(span: StoredSpan, byId: Map<string, StoredSpan>): StoredSpan | null | undefined {
  if (span.facts.root) return span.facts.agent ? null : span;
  const seen = new Set<string>();
  let parentId = span.parentSpanId;
  while (parentId && !seen.has(parentId)) {
    seen.add(parentId);
    const parent = byId.get(parentId);
    if (!parent) return undefined;
    if (isRunSpan(parent)) return parent;
    parentId = parent.parentSpanId;
  }
  return undefined;
}

const byStart = (a: StoredSpan, b: StoredSpan) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : a.spanId.localeCompare(b.spanId));

function stepBody(span: StoredSpan, index: number): StepInput {
  const f = span.facts;
  const duration = Math.max(0, new Date(f.end).getTime() - new Date(f.start).getTime());
  return {
    step_index: index,
    kind: f.kind ?? 'other',
    skill_name: f.kind === 'tool' ? f.toolName ?? f.name : f.kind === 'agent' ? f.agentName ?? f.agentId ?? f.name : f.model ?? f.name,
    skill_id: f.kind === 'tool' ? f.toolName : f.kind === 'agent' ? f.agentId : null,
    status: f.failed ? 'failed' : 'completed',
    outcome_code: f.errorType,
    model: f.kind === 'llm' ? f.model : null,
    input_tokens: f.kind === 'agent' ? null : f.usage.input,
    output_tokens: f.kind === 'agent' ? null : f.usage.output,
    duration_ms: duration,
    started_at: f.start,
  };
}

function sumUsage(spans: StoredSpan[]): Usage | null {
  // A nested agent's tokens are its own run's; counting them here too would double them.
  const counted = spans.filter((s) => s.facts.kind !== 'agent');
  const keys = ['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'] as const;
  if (!counted.some((s) => keys.some((k) => s.facts.usage[k] !== null))) return null;
  const total = (k: (typeof keys)[number]) => {
    const values = counted.map((s) => s.facts.usage[k]).filter((v): v is number => v !== null);
    return values.length > 0 ? values.reduce((a, b) => a + b, 0) : null;
  };
  return { input: total('input'), output: total('output'), cacheRead: total('cacheRead'), cacheWrite: total('cacheWrite'), reasoning: total('reasoning') };
}

function runItems(run: StoredSpan, steps: StoredSpan[], parentRun: StoredSpan | null): { create: PlanItem; end: PlanItem } {
  const f = run.facts;
  const id = runIdOf(run);
  const firstModel = steps.find((s) => s.facts.kind === 'llm' && s.facts.model);
  const model = f.model ?? firstModel?.facts.model ?? null;
  const provider = f.provider ?? steps.find((s) => s.facts.provider)?.facts.provider ?? null;
  const create = {
    id,
    status: 'running',
    started_at: f.start,
    trace_id: run.traceId,
    source: OTLP_SOURCE,
    agent_id: f.agentId ?? f.agentName ?? undefined,
    work_unit_name: f.agentName ?? f.agentId ?? f.name,
    session_id: f.conversationId ?? steps.find((s) => s.facts.conversationId)?.facts.conversationId ?? undefined,
    user_id: f.userId ?? undefined,
    model: model ?? undefined,
    provider_type: provider ?? undefined,
    metadata: {
      otlp: { span_id: run.spanId, span_name: f.name, service: f.service, parent_run_id: parentRun ? runIdOf(parentRun) : null },
    },
  };
  const usage = sumUsage(steps) ?? (f.usage.input !== null || f.usage.output !== null ? f.usage : null);
  const end = {
    completed_at: f.end,
    step_count: steps.length,
    model: model ?? undefined,
    provider_type: provider ?? undefined,
    ...(usage ? {
      input_tokens: usage.input ?? undefined,
      output_tokens: usage.output ?? undefined,
      cache_read_tokens: usage.cacheRead ?? undefined,
      cache_write_tokens: usage.cacheWrite ?? undefined,
      reasoning_tokens: usage.reasoning ?? undefined,
    } : {}),
    ...(f.failed ? { error: f.error ?? 'the span ended with status ERROR', error_type: f.errorType ?? undefined } : {}),
  };
  return {
    create: { type: 'run.create', id, body: create, spans: [run] },
    end: { type: f.failed ? 'run.fail' : 'run.complete', id, body: end, spans: [] },
  };
}

function appendItems(runId: string, steps: StoredSpan[]): PlanItem[] {
  const items: PlanItem[] = [];
  for (let i = 0; i < steps.length; i += MAX_STEPS_PER_ITEM) {
    const chunk = steps.slice(i, i + MAX_STEPS_PER_ITEM);
    items.push({ type: 'steps.append', id: runId, body: { steps: chunk.map((s) => stepBody(s, s.stepIndex!)) }, spans: chunk });
  }
  return items;
}

/** The plan for the spans of one trace, as stored (after this export's spans were added). */
export function planTrace(spans: StoredSpan[]): TracePlan {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const stepsOf = new Map<StoredSpan, StoredSpan[]>();
  for (const span of spans) {
    if (!span.facts.kind || (span.facts.agent && span.facts.root)) continue;
    const owner = ownerOf(span, byId);
    if (!owner) continue;
    const list = stepsOf.get(owner);
    if (list) list.push(span);
    else stepsOf.set(owner, [span]);
  }
  const plan: TracePlan = { items: [], numbered: [] };
  for (const run of spans.filter(isRunSpan)) {
    const steps = (stepsOf.get(run) ?? []).sort(byStart);
    if (!run.facts.agent && steps.length === 0) continue;
    const runId = runIdOf(run);
    let next = Math.max(-1, ...steps.filter((s) => s.stepRunId === runId).map((s) => s.stepIndex!)) + 1;
    for (const step of steps) {
      if (step.stepRunId === runId) continue;
      step.stepRunId = runId;
      step.stepIndex = next++;
      plan.numbered.push(step);
    }
    const unwritten = steps.filter((s) => !s.written).sort((a, b) => a.stepIndex! - b.stepIndex!);
    if (run.runWritten) {
      plan.items.push(...appendItems(runId, unwritten));
      continue;
    }
    const { create, end } = runItems(run, steps, run.facts.root ? null : ownerOf(run, byId) ?? null);
    plan.items.push(create, ...appendItems(runId, unwritten), end);
  }
  return plan;
}

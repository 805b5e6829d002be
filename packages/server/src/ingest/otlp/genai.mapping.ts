import { truncate } from '../claude-code/bounded-json.ts';
import { attributes, hex, nanos, nanosToDate, num, str, type Attributes, type KeyValue } from './otlp.values.ts';

/**
 * One span reduced to what the GenAI mapping reads (SPEC §4): the OpenTelemetry GenAI
 * semantic conventions, and the OpenInference names where they differ. Stored as received
 * (otlp_spans.span), so a run written later from several exports sees the same facts.
 */
export interface SpanFacts {
  name: string;
  /** The span is an agent (or workflow) invocation: it becomes a run of its own. */
  agent: boolean;
  /** What it is as a step of the run above it (an agent nested in another run is an `agent` step). */
  kind: 'llm' | 'tool' | 'agent' | null;
  start: string;
  end: string;
  agentName: string | null;
  agentId: string | null;
  conversationId: string | null;
  userId: string | null;
  model: string | null;
  provider: string | null;
  toolName: string | null;
  usage: Usage;
  failed: boolean;
  error: string | null;
  errorType: string | null;
  service: string | null;
}

export interface Usage {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  reasoning: number | null;
}

/** A decoded span: the fields the mapping reads. */
export interface OtlpSpan {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  parentSpanId?: Uint8Array | null;
  name?: string | null;
  flags?: number | null;
  startTimeUnixNano?: unknown;
  endTimeUnixNano?: unknown;
  attributes?: KeyValue[] | null;
  status?: { code?: number | null; message?: string | null } | null;
  events?: { name?: string | null; attributes?: KeyValue[] | null }[] | null;
}

export interface MappedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  /** The span starts a trace here: no parent, or a parent in another process (W3C is-remote flag). */
  root: boolean;
  startNs: bigint;
  facts: SpanFacts;
}

const AGENT_OPERATIONS = new Set(['invoke_agent', 'invoke_workflow']);
const LLM_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'embeddings']);
const STATUS_ERROR = 2;
// Span flags bits 8 and 9 (opentelemetry-proto trace.proto): whether the parent is known remote, and is.
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const LABEL_MAX = 500;
/** The API's bound on a token count (runs.schemas.ts): the writer takes bodies as already checked. */
const TOKENS_MAX = 1e13;
// Dates JS can hold, in nanoseconds: a span outside them has no usable time.
const LAST_NS = 8_640_000_000_000_000_000_000n;

const label = (value: string | null) => (value === null ? null : truncate(value, LABEL_MAX));

function kindOf(attrs: Attributes, agent: boolean): SpanFacts['kind'] {
  if (agent) return 'agent';
  const op = str(attrs, 'gen_ai.operation.name');
  const openInference = str(attrs, 'openinference.span.kind')?.toUpperCase();
  if ((op && LLM_OPERATIONS.has(op)) || openInference === 'LLM' || openInference === 'EMBEDDING') return 'llm';
  if (op === 'execute_tool' || openInference === 'TOOL') return 'tool';
  // Instrumentations older than gen_ai.operation.name still name the model or the provider.
  if (!op && !openInference && str(attrs, 'gen_ai.request.model', 'gen_ai.system')) return 'llm';
  return null;
}

/** Token counts; the OpenTelemetry convention counts cached input in input (and reasoning in output). */
function usageOf(attrs: Attributes): Usage {
  const count = (...keys: string[]) => {
    const n = num(attrs, ...keys);
    return n === null || n < 0 ? null : Math.min(Math.round(n), TOKENS_MAX);
  };
  let input = count('gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt');
  let output = count('gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion');
  const cacheRead = count('gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens', 'llm.token_count.prompt_details.cache_read');
  const cacheWrite = count('gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_creation_input_tokens', 'llm.token_count.prompt_details.cache_write');
  const reasoning = count('gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens', 'llm.token_count.completion_details.reasoning');
  // Some instrumentations report input without its cached part (Anthropic's own split): add it back.
  const cached = (cacheRead ?? 0) + (cacheWrite ?? 0);
  if (cached > 0 && (input ?? 0) < cached) input = (input ?? 0) + cached;
  if (reasoning && (output ?? 0) < reasoning) output = (output ?? 0) + reasoning;
  const cap = (n: number | null) => (n === null ? null : Math.min(n, TOKENS_MAX));
  return { input: cap(input), output: cap(output), cacheRead, cacheWrite, reasoning };
}

function errorOf(span: OtlpSpan, attrs: Attributes): { error: string | null; errorType: string | null } {
  const exception = (span.events ?? []).find((e) => e.name === 'exception');
  const ex = exception ? attributes(exception.attributes) : {};
  const message = span.status?.message || str(ex, 'exception.message') || str(attrs, 'error.message');
  return {
    error: message ? truncate(message, 20_000) : null,
    errorType: label(str(attrs, 'error.type') ?? str(ex, 'exception.type')),
  };
}

/** A decoded span as stored facts; null when it has no usable trace id, span id or start time. */
export function mapSpan(span: OtlpSpan, resource: Attributes): MappedSpan | null {
  const traceId = hex(span.traceId);
  const spanId = hex(span.spanId);
  if (traceId.length !== 32 || /^0+$/.test(traceId) || spanId.length !== 16 || /^0+$/.test(spanId)) return null;
  const parent = hex(span.parentSpanId);
  const flags = span.flags ?? 0;
  const attrs = attributes(span.attributes);
  const op = str(attrs, 'gen_ai.operation.name');
  const agent = (op !== null && AGENT_OPERATIONS.has(op)) || str(attrs, 'openinference.span.kind')?.toUpperCase() === 'AGENT';
  const startNs = nanos(span.startTimeUnixNano);
  const endNs = nanos(span.endTimeUnixNano);
  if (startNs <= 0n || startNs >= LAST_NS || endNs >= LAST_NS) return null;
  const failed = span.status?.code === STATUS_ERROR;
  return {
    traceId,
    spanId,
    parentSpanId: parent || null,
    root: parent === '' || ((flags & HAS_IS_REMOTE) !== 0 && (flags & IS_REMOTE) !== 0),
    startNs,
    facts: {
      name: truncate(span.name ?? '', LABEL_MAX),
      agent,
      kind: kindOf(attrs, agent),
      start: nanosToDate(startNs).toISOString(),
      end: nanosToDate(endNs > startNs ? endNs : startNs).toISOString(),
      agentName: label(str(attrs, 'gen_ai.agent.name', 'agent.name')),
      agentId: label(str(attrs, 'gen_ai.agent.id')),
      conversationId: label(str(attrs, 'gen_ai.conversation.id', 'session.id')),
      userId: label(str(attrs, 'user.id', 'enduser.id')),
      model: label(str(attrs, 'gen_ai.request.model', 'gen_ai.response.model', 'llm.model_name')),
      provider: label(str(attrs, 'gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system')),
      toolName: label(str(attrs, 'gen_ai.tool.name', 'tool.name')),
      usage: usageOf(attrs),
      failed,
      ...(failed ? errorOf(span, attrs) : { error: null, errorType: null }),
      service: label(str(resource, 'service.name')),
    },
  };
}

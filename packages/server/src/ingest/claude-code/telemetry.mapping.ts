import { hashOf } from '../../lib/stable-json.ts';
import type { NewActivity } from '../../domain/activities/activities.types.ts';
import { anyValue, attributes, bool, nanos, nanosToDate, num, str, type Attributes, type KeyValue } from '../otlp/otlp.values.ts';
import { boundJson, storable, truncate } from './bounded-json.ts';
import { idPart } from './claude-code.mapping.ts';
import { CLAUDE_CODE_SOURCE } from './claude-code.schemas.ts';

/**
 * Claude Code's own telemetry (CLAUDE_CODE_ENABLE_TELEMETRY=1) as Runlog records it. Events
 * arrive as OTLP log records whose body is `claude_code.<event>` and whose attributes carry
 * `event.name`, `session.id`, `prompt.id`, `event.timestamp`, `event.sequence` and the event's
 * own fields (numbers often as strings). Tool events name the model's `tool_use_id`, which hook
 * payloads carry too: they land on the hook's activity for that tool call.
 */
export interface LogRecord {
  timeUnixNano?: unknown;
  observedTimeUnixNano?: unknown;
  body?: Parameters<typeof anyValue>[0];
  eventName?: string | null;
  attributes?: KeyValue[] | null;
}

export interface MappedEvent {
  activity: NewActivity;
  /** Set when the activity is the hook's for the same tool call: merge into it, never add a second. */
  merge: boolean;
}

const PREFIX = 'claude_code.';
const TEXT_MAX = 500;
const EVENT_TYPES: Record<string, string> = {
  user_prompt: 'prompt',
  tool_result: 'tool',
  tool_decision: 'tool',
  api_request: 'api',
  api_error: 'api',
};

/** `tool_result` for a Claude Code event, null for any other log record. */
export function eventNameOf(record: LogRecord, attrs: Attributes): string | null {
  const body = anyValue(record.body);
  for (const candidate of [record.eventName, typeof body === 'string' ? body : null, str(attrs, 'event.name')]) {
    if (candidate?.startsWith(PREFIX)) return candidate.slice(PREFIX.length);
  }
  const name = str(attrs, 'event.name');
  return name && str(attrs, 'session.id') && (typeof body === 'string' ? body === `${PREFIX}${name}` : true) ? name : null;
}

function statusOf(event: string, attrs: Attributes): string | null {
  switch (event) {
    case 'tool_result': {
      const ok = bool(attrs, 'success');
      return ok === null ? null : ok ? 'success' : 'failed';
    }
    case 'tool_decision': return str(attrs, 'decision');
    case 'api_request': return 'success';
    case 'api_error': return 'failed';
    default: return null;
  }
}

function occurredAt(record: LogRecord, attrs: Attributes): Date {
  const stamped = str(attrs, 'event.timestamp');
  const at = stamped ? new Date(stamped) : null;
  if (at && !Number.isNaN(at.getTime())) return at;
  const ns = nanos(record.timeUnixNano) || nanos(record.observedTimeUnixNano);
  return ns > 0n ? nanosToDate(ns) : new Date();
}

/** One Claude Code event as an activity of its session; null when the record is not one. */
export function mapTelemetryEvent(record: LogRecord, resource: Attributes): MappedEvent | { rejected: string } | null {
  const attrs = { ...resource, ...attributes(record.attributes) };
  const event = eventNameOf(record, attrs);
  if (!event) return null;
  const session = str(attrs, 'session.id');
  if (!session) return { rejected: `${PREFIX}${event} without session.id` };
  const toolUseId = str(attrs, 'tool_use_id', 'gen_ai.tool.call.id');
  const toolName = str(attrs, 'tool_name');
  const at = occurredAt(record, attrs);
  const merge = toolUseId !== null && (event === 'tool_result' || event === 'tool_decision');
  // The hook's ids (claude-code.mapping.ts): a decision precedes the call (Pre), a result ends it (Post).
  const id = merge
    ? `cc:${idPart(session)}:${idPart(toolUseId)}:${event === 'tool_decision' ? 'pre' : 'post'}`
    : `cc:${idPart(session)}:otel:${hashOf({ event, sequence: attrs['event.sequence'] ?? null, at: at.toISOString(), prompt: attrs['prompt.id'] ?? null, attrs })}`;
  const model = str(attrs, 'model');
  const telemetry = boundJson({ event: `${PREFIX}${event}`, ...attrs });
  return {
    merge,
    activity: {
      id,
      type: EVENT_TYPES[event] ?? 'telemetry',
      action_name: storable((merge || event === 'tool_result') && toolName ? toolName : event).slice(0, 200),
      target_name: event.startsWith('api_') && model ? truncate(model, TEXT_MAX) : null,
      status: statusOf(event, attrs),
      duration_ms: (() => { const d = num(attrs, 'duration_ms'); return d === null || d < 0 ? null : Math.round(d); })(),
      is_automated: EVENT_TYPES[event] !== 'prompt',
      source: CLAUDE_CODE_SOURCE,
      session_id: storable(session).slice(0, 200),
      data: { ...(toolName ? { tool_name: toolName } : {}), ...(toolUseId ? { tool_use_id: toolUseId } : {}), telemetry },
      occurred_at: at,
    },
  };
}

/** A usage data point of claude_code.cost.usage or claude_code.token.usage, as a row. */
export interface UsagePoint {
  session_id: string;
  series: string;
  start_ns: string;
  /** The point's end for a delta point (its own interval); 0 for a cumulative one (one row per series and start). */
  interval_end_ns: string;
  time_ns: string;
  model: string;
  kind: string;
  value: number;
}

export const USAGE_METRICS: Record<string, (attrs: Attributes) => string | null> = {
  'claude_code.cost.usage': () => 'cost_usd',
  'claude_code.token.usage': (attrs) => str(attrs, 'type'),
};

export interface NumberDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: unknown;
  timeUnixNano?: unknown;
  asDouble?: number | null;
  asInt?: unknown;
}

/** The point as a usage row; a string saying why when it cannot be one. */
export function mapUsagePoint(metric: string, point: NumberDataPoint, delta: boolean, resource: Attributes): UsagePoint | string {
  const attrs = { ...resource, ...attributes(point.attributes) };
  const session = str(attrs, 'session.id');
  if (!session) return `${metric} point without session.id`;
  const kind = USAGE_METRICS[metric]!(attrs);
  if (!kind) return `${metric} point without type`;
  const value = point.asDouble ?? num({ v: anyValue({ intValue: point.asInt }) }, 'v');
  if (value === null || !Number.isFinite(value)) return `${metric} point without a value`;
  const time = nanos(point.timeUnixNano);
  const start = nanos(point.startTimeUnixNano);
  return {
    session_id: storable(session).slice(0, 200),
    // One series per metric and attribute set; a restarted process starts a new one (new start time).
    series: hashOf({ metric, attrs }),
    start_ns: (start > 0n ? start : time).toString(),
    interval_end_ns: delta ? time.toString() : '0',
    time_ns: time.toString(),
    model: storable(str(attrs, 'model') ?? 'unknown').slice(0, 200),
    kind,
    value,
  };
}

import { Activity } from '../domain/activities/activities.schemas.ts';
import { RUN_EVENT_TYPES } from '../domain/activities/activities.types.ts';
import type { LiveEventType } from './event-bus.ts';

/**
 * The WebSocket protocol of SPEC §5, shared by the hub, the LISTEN/NOTIFY bridge and tests.
 * client → {"type":"subscribe","channels":["activity","runs","run:<id>"],"after_seq":N}
 * server → every frame is a JSON array of events and control messages.
 */

/** What a connection asked to hear. `run:<id>` is everything about one run. */
export interface Subscription {
  channels: string[];
  activity: boolean;
  runs: boolean;
  runIds: Set<string>;
}

export interface SubscribeMessage {
  type: 'subscribe';
  subscription: Subscription;
  afterSeq: number | undefined;
}

export type ParseResult = { ok: true; message: SubscribeMessage } | { ok: false; error: string; message: string };

export interface ProtocolLimits {
  maxMessageBytes: number;
  maxChannels: number;
}

/** A run id as the API accepts it (ClientId in http/schemas.ts). */
const RUN_ID = /^[A-Za-z0-9._:@/+=-]{1,200}$/;

function fail(error: string, message: string): ParseResult {
  return { ok: false, error, message };
}

function parseChannels(value: unknown, limits: ProtocolLimits): Subscription | string {
  if (!Array.isArray(value) || value.length === 0) return 'channels must be a non-empty array';
  if (value.length > limits.maxChannels) return `channels may name at most ${limits.maxChannels} channels`;
  const sub: Subscription = { channels: [], activity: false, runs: false, runIds: new Set() };
  for (const channel of value) {
    if (channel === 'activity') sub.activity = true;
    else if (channel === 'runs') sub.runs = true;
    else if (typeof channel === 'string' && channel.startsWith('run:') && RUN_ID.test(channel.slice(4))) sub.runIds.add(channel.slice(4));
    else return `unknown channel ${JSON.stringify(channel).slice(0, 80)}; use "activity", "runs" or "run:<id>"`;
    if (!sub.channels.includes(channel)) sub.channels.push(channel);
  }
  return sub;
}

/** Validates one client message; a bad one is answered with an error, never by closing. */
export function parseClientMessage(raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean, limits: ProtocolLimits): ParseResult {
  if (isBinary) return fail('invalid_message', 'send text frames holding JSON');
  const buffer = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer);
  if (buffer.length > limits.maxMessageBytes) return fail('message_too_large', `messages are limited to ${limits.maxMessageBytes} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(buffer.toString('utf8'));
  } catch {
    return fail('invalid_json', 'the message is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('invalid_message', 'a message is a JSON object with a "type"');
  const { type, channels, after_seq: afterSeq, ...rest } = body as Record<string, unknown>;
  if (type !== 'subscribe') return fail('unknown_type', `unknown message type ${JSON.stringify(type) ?? 'undefined'}; the only one is "subscribe"`);
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) return fail('invalid_message', `${extra.slice(0, 80)} is not a known field`);
  if (afterSeq !== undefined && !(Number.isSafeInteger(afterSeq) && (afterSeq as number) >= 0)) {
    return fail('invalid_message', 'after_seq must be a whole number >= 0');
  }
  const subscription = parseChannels(channels, limits);
  if (typeof subscription === 'string') return fail('invalid_message', subscription);
  return { ok: true, message: { type: 'subscribe', subscription, afterSeq: afterSeq as number | undefined } };
}

/** One event ready to send: serialised once, shared by every connection that gets it. */
export interface OutEvent {
  type: LiveEventType;
  /** Activity position; step_added carries the tenant's last delivered seq (steps are not replayed). */
  seq: number;
  /** Ordered events (activity_created, run_updated) follow the tenant's seq; steps do not. */
  ordered: boolean;
  runId: string | null;
  json: string;
}

export function outEvent(type: LiveEventType, seq: number, data: unknown, ordered: boolean): OutEvent {
  return { type, seq, ordered, runId: runIdOf(type, data), json: JSON.stringify({ type, seq, data }) };
}

function runIdOf(type: LiveEventType, data: unknown): string | null {
  const record = (data ?? {}) as Record<string, unknown>;
  if (type === 'activity_rendered') return null;
  const id = type === 'run_updated' ? record.id : record.run_id;
  return typeof id === 'string' ? id : null;
}

/** Activity events go to `activity` (activity_created also to its run's channel); run and step events to `runs` and theirs. */
export function matches(sub: Subscription, event: OutEvent): boolean {
  if (event.type === 'activity_rendered') return sub.activity;
  const forRun = event.runId !== null && sub.runIds.has(event.runId);
  return forRun || (event.type === 'activity_created' ? sub.activity : sub.runs);
}

/** Whether anyone subscribed this way wants run_updated events about `runId`. */
export function wantsRun(sub: Subscription, runId: string): boolean {
  return sub.runs || sub.runIds.has(runId);
}

const ACTIVITY_FIELDS = Object.keys(Activity.properties);

/** The activity as GET /activities shows it (the same fields, no internal bookkeeping). */
export function activityData(row: unknown): Record<string, unknown> {
  const source = row as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of ACTIVITY_FIELDS) if (field in source) out[field] = source[field];
  return out;
}

const TRANSITION_TYPES: ReadonlySet<string> = new Set(Object.values(RUN_EVENT_TYPES));

/** Activities a run transition appends (SPEC §3); each has a run_updated with the same seq. */
export function isTransitionActivity(row: { type?: unknown; run_id?: unknown }): row is { type: string; run_id: string } {
  return typeof row.run_id === 'string' && typeof row.type === 'string' && TRANSITION_TYPES.has(row.type);
}

/** Control messages travel in the same arrays as events. */
export const control = {
  subscribed: (channels: string[], afterSeq: number | undefined, lastSeq: number, replayed: number) =>
    JSON.stringify({ type: 'subscribed', channels, after_seq: afterSeq ?? null, last_seq: lastSeq, replayed }),
  resync: (lastSeq: number, reason: string) =>
    JSON.stringify({ type: 'resync', last_seq: lastSeq, reason, message: RESYNC_MESSAGES[reason] ?? 'subscribe again with after_seq' }),
  error: (error: string, message: string) => JSON.stringify({ type: 'error', error, message }),
};

const RESYNC_MESSAGES: Record<string, string> = {
  slow_consumer:
    'live events stopped because this client fell behind; catch up with GET /api/v1/activities?after_seq=<last_seq> or subscribe again with after_seq',
  too_far_behind:
    'more was missed than a subscription replays; catch up with GET /api/v1/activities?after_seq=<last_seq>, then subscribe again with after_seq',
  gap_too_large:
    'this node fell too far behind the database; catch up with GET /api/v1/activities?after_seq=<last_seq>, then subscribe again with after_seq',
};

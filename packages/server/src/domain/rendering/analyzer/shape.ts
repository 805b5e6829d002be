import type { FieldFormat, RenderField } from '../rendering.types.ts';
import { isIsoDateTime, textKind } from './text-kind.ts';

/** Shared helpers of the built-in analyzer: pointers, labels, formats, schema lookups. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** RFC 6901: "~" and "/" in a key are escaped. */
export function pointer(base: string, ...segments: Array<string | number>): string {
  return base + segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The value at a JSON pointer, or undefined when the path does not exist. */
export function valueAt(data: unknown, path: string): unknown {
  if (path === '') return data;
  if (!path.startsWith('/')) return undefined;
  let current: unknown = data;
  for (const raw of path.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(key) || Number(key) >= current.length) return undefined;
      current = current[Number(key)];
    } else if (isObject(current) && Object.prototype.hasOwnProperty.call(current, key)) {
      current = current[key];
    } else {
      return undefined;
    }
  }
  return current;
}

/** "started_at", "startedAt" → "Started at". */
export function labelOf(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .toLowerCase();
  if (!words) return key;
  return (words[0]!.toUpperCase() + words.slice(1)).slice(0, 100);
}

/** A JSON Schema's subschema for an object property or array items (no $ref resolution). */
export function subschema(schema: unknown, segment: string | number): unknown {
  if (!isObject(schema)) return undefined;
  if (typeof segment === 'number') return isObject(schema.items) ? schema.items : undefined;
  const props = schema.properties;
  return isObject(props) ? props[segment] : undefined;
}

function schemaFormat(schema: unknown): FieldFormat | null {
  if (!isObject(schema)) return null;
  if (schema.format === 'date-time' || schema.format === 'date') return 'datetime';
  if (schema.format === 'uri' || schema.format === 'url') return 'url';
  const media = typeof schema.contentMediaType === 'string' ? schema.contentMediaType : '';
  if (media === 'text/markdown') return 'markdown';
  if (media === 'text/x-diff' || media === 'text/x-patch') return 'diff';
  if (media.startsWith('text/x-') || media === 'application/javascript') return 'code';
  return null;
}

const NUMBER_HINTS: Array<[RegExp, FieldFormat]> = [
  [/(^|_)(duration|elapsed|latency)(_ms)?$|_ms$|Ms$/i, 'duration_ms'],
  [/bytes|(^|_)size$/i, 'bytes'],
  [/percent|ratio|(^|_)rate$|pct/i, 'percent'],
  [/cost|usd|price|amount/i, 'currency'],
];

/** How a value is drawn, from its schema, its key and the value itself. */
export function formatOf(key: string, value: unknown, schema?: unknown): FieldFormat {
  const declared = schemaFormat(schema);
  if (declared) return declared;
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') {
    for (const [re, format] of NUMBER_HINTS) if (re.test(key)) return format;
    return Number.isInteger(value) ? 'integer' : 'number';
  }
  if (typeof value === 'string') {
    const kind = textKind(value);
    if (kind === 'datetime' || kind === 'url' || kind === 'code' || kind === 'markdown' || kind === 'diff') return kind;
    return 'text';
  }
  if (value === null) return 'text';
  return 'json';
}

export function field(path: string, key: string, value: unknown, schema?: unknown): RenderField {
  const title = isObject(schema) && typeof schema.title === 'string' ? schema.title.slice(0, 100) : labelOf(key);
  return { path, label: title, format: formatOf(key, value, schema) };
}

/** Keys in first-seen order over the first rows, at most `max`. */
export function columnsOf(rows: JsonObject[], max: number): string[] {
  const seen = new Set<string>();
  for (const row of rows.slice(0, 50)) {
    for (const key of Object.keys(row)) {
      if (seen.size >= max) return [...seen];
      seen.add(key);
    }
  }
  return [...seen];
}

/** A timestamp's key in a row: a conventional name first, else any key holding an ISO time. */
const TIME_KEYS = ['timestamp', 'time', 'ts', 'at', 'started_at', 'start_time', 'created_at', 'occurred_at', 'date', 'datetime', 'when', 'startedAt', 'createdAt'];

export function timeKeyOf(row: JsonObject): string | null {
  for (const key of TIME_KEYS) if (isIsoDateTime(row[key])) return key;
  for (const [key, value] of Object.entries(row)) if (isIsoDateTime(value)) return key;
  return null;
}

/** Where a shape was found: the whole payload, or the value of its only key. */
export interface Candidate {
  value: unknown;
  path: string;
  key: string | null;
  schema: unknown;
}

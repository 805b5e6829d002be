import { createHash } from 'node:crypto';
import { stableStringify } from '../../lib/stable-json.ts';
import { textKind } from './analyzer/text-kind.ts';

/**
 * A payload's structure: keys and value types, never values (issue 10 item 5). Strings are
 * typed by their kind of text (datetime, diff, code…), since that decides their render; an
 * array's type is the set of its elements' types, so its length does not matter. Deep or
 * wide payloads are cut, so a huge payload costs a bounded walk.
 */
const MAX_DEPTH = 6;
const MAX_KEYS = 100;
const MAX_ELEMENTS = 50;
const MAX_VARIANTS = 8;

function typeOf(value: unknown, depth: number): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `s:${textKind(value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'num';
  if (typeof value === 'boolean') return 'bool';
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) {
    const variants = new Set<string>();
    for (const element of value.slice(0, MAX_ELEMENTS)) {
      variants.add(typeOf(element, depth + 1));
      if (variants.size > MAX_VARIANTS) return '[mixed]';
    }
    return `[${[...variants].sort().join('|')}]`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value as object).sort();
    const parts = keys.slice(0, MAX_KEYS).map((k) => `${JSON.stringify(k)}:${typeOf((value as Record<string, unknown>)[k], depth + 1)}`);
    if (keys.length > MAX_KEYS) parts.push(`…${keys.length}`);
    return `{${parts.join(',')}}`;
  }
  return 'unknown';
}

/** The structure as text (tests and the LLM prompt show it). */
export function structureOf(data: unknown): string {
  return typeOf(data, 0);
}

/** Hashes of structures seen lately: a shape seen again (the common case) costs no hash. */
const HASHES_LIMIT = 10_000;
const HASHED_TEXT_LIMIT = 4_096;
const hashes = new Map<string, string>();

/** The cache key: structure and data_schema, hashed. */
export function fingerprintOf(data: unknown, dataSchema: unknown): string {
  let text = structureOf(data);
  if (dataSchema !== null && dataSchema !== undefined) text += `\u0000${stableStringify(dataSchema)}`;
  let fingerprint = hashes.get(text);
  if (fingerprint) return fingerprint;
  fingerprint = createHash('sha256').update(text).digest('hex').slice(0, 32);
  if (text.length <= HASHED_TEXT_LIMIT) {
    if (hashes.size >= HASHES_LIMIT) hashes.clear();
    hashes.set(text, fingerprint);
  }
  return fingerprint;
}

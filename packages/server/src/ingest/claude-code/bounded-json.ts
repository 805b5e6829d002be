/**
 * Bounded copies of client JSON: hook payloads carry whole files and command outputs, which
 * are kept only as previews. Pure (no server imports): `runlog hook` uses it on a laptop too.
 */

export interface Bounds {
  /** Longer strings are cut to this many characters, with a marker saying how much was cut. */
  maxString: number;
  /** Longer arrays keep their first items and a marker. */
  maxItems: number;
  /** Object keys kept per object. */
  maxKeys: number;
  /** Deeper values become a marker. */
  maxDepth: number;
}

export const DATA_BOUNDS: Bounds = Object.freeze({ maxString: 4096, maxItems: 100, maxKeys: 100, maxDepth: 8 });

// A lone surrogate or a NUL is valid in a JS string but refused by PostgreSQL (text and jsonb).
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The string with what PostgreSQL cannot store replaced by U+FFFD. */
export function storable(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

/** At most `max` characters (never splitting a surrogate pair), storable; `…` marks a cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return storable(text);
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${storable(text.slice(0, end))}…`;
}

function cutString(text: string, max: number): string {
  if (text.length <= max) return storable(text);
  return `${truncate(text, max + 1).slice(0, -1)}…[${text.length - max} more characters]`;
}

/** A copy of `value` within `bounds`; scalars other than strings are kept as they are. */
export function boundJson(value: unknown, bounds: Bounds = DATA_BOUNDS, depth = 0): unknown {
  if (typeof value === 'string') return cutString(value, bounds.maxString);
  if (value === null || typeof value !== 'object') return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  if (depth >= bounds.maxDepth) return '…[nested too deep]';
  if (Array.isArray(value)) {
    const kept = value.slice(0, bounds.maxItems).map((item) => boundJson(item, bounds, depth + 1));
    if (value.length > bounds.maxItems) kept.push(`…[${value.length - bounds.maxItems} more items]`);
    return kept;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries.slice(0, bounds.maxKeys)) {
    if (item !== undefined) out[storable(key).slice(0, 200)] = boundJson(item, bounds, depth + 1);
  }
  if (entries.length > bounds.maxKeys) out['…'] = `${entries.length - bounds.maxKeys} more keys`;
  return out;
}

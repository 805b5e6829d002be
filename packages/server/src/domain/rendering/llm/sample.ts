/**
 * What the LLM is shown of a payload: bounded whatever the payload's size (issue 10 item 4:
 * shape and a sample, never megabytes). Arrays keep their first few elements, strings their
 * head, objects their first keys, nesting its first levels; the result is cut to a budget.
 */
const MAX_ELEMENTS = 3;
const MAX_STRING = 300;
const MAX_KEYS = 40;
const MAX_DEPTH = 6;
export const SAMPLE_BUDGET = 6_000;

function cut(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…(${value.length} chars)` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) {
    const head = value.slice(0, MAX_ELEMENTS).map((v) => cut(v, depth + 1));
    return value.length > MAX_ELEMENTS ? [...head, `…(${value.length} elements)`] : head;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, MAX_KEYS)) out[k] = cut(v, depth + 1);
  if (entries.length > MAX_KEYS) out['…'] = `${entries.length - MAX_KEYS} more keys`;
  return out;
}

/** A JSON text of at most `budget` characters (cut mid-text, and said so, when still too long). */
export function sampleOf(value: unknown, budget = SAMPLE_BUDGET): string {
  const text = JSON.stringify(cut(value, 0)) ?? 'null';
  return text.length <= budget ? text : `${text.slice(0, budget)}…(cut)`;
}

import type { RenderDecision } from '../rendering.types.ts';
import { field, isObject, isScalar, pointer, subschema, type Candidate } from './shape.ts';
import { looksLikeDiff, textKind } from './text-kind.ts';

/** Objects: before/after (diff), code with a language, all numbers (metric), scalars (key_value). */

const MAX_METRICS = 8;
const MAX_KEY_VALUES = 30;
const DIFF_PAIRS: Array<[string, string]> = [['before', 'after'], ['old', 'new'], ['original', 'modified'], ['old_string', 'new_string'], ['oldText', 'newText']];
const LANGUAGE_KEYS = ['language', 'lang'];

export function diffPair(c: Candidate, title: string): RenderDecision | null {
  const o = c.value;
  if (!isObject(o)) return null;
  for (const [a, b] of DIFF_PAIRS) {
    if (typeof o[a] === 'string' && typeof o[b] === 'string') {
      return {
        strategy: 'diff',
        title,
        fields: [
          { ...field(pointer(c.path, a), a, o[a], subschema(c.schema, a)), format: 'text' },
          { ...field(pointer(c.path, b), b, o[b], subschema(c.schema, b)), format: 'text' },
        ],
      };
    }
  }
  // An object carrying one unified diff and scalars around it ({file, patch}).
  const patch = Object.keys(o).find((k) => typeof o[k] === 'string' && (o[k] as string).includes('\n') && looksLikeDiff(o[k] as string));
  if (patch && Object.values(o).every(isScalar)) return { strategy: 'diff', title, fields: [{ ...field(pointer(c.path, patch), patch, o[patch]), format: 'diff' }] };
  return null;
}

/** `{language|lang, <one string of source>}`: the string is code in that language. */
export function codeWithLanguage(c: Candidate, title: string): RenderDecision | null {
  const o = c.value;
  if (!isObject(o)) return null;
  const langKey = LANGUAGE_KEYS.find((k) => typeof o[k] === 'string' && (o[k] as string).length <= 40);
  if (!langKey) return null;
  const sources = Object.keys(o).filter((k) => k !== langKey && typeof o[k] === 'string' && (o[k] as string).length > 0);
  const source = sources.find((k) => ['code', 'source', 'content', 'snippet', 'text', 'body'].includes(k))
    ?? sources.sort((a, b) => (o[b] as string).length - (o[a] as string).length)[0];
  if (!source) return null;
  return {
    strategy: 'code',
    title,
    fields: [
      { path: pointer(c.path, source), label: labelFor(c, source), format: 'code' },
      { path: pointer(c.path, langKey), label: 'Language', format: 'text' },
    ],
  };
}

function labelFor(c: Candidate, key: string): string {
  return field(pointer(c.path, key), key, null, subschema(c.schema, key)).label;
}

export function metric(c: Candidate, title: string): RenderDecision | null {
  const o = c.value;
  if (!isObject(o)) return null;
  const keys = Object.keys(o);
  if (keys.length === 0 || keys.length > MAX_METRICS) return null;
  if (!keys.every((k) => typeof o[k] === 'number' && Number.isFinite(o[k]))) return null;
  return { strategy: 'metric', title, fields: keys.map((k) => field(pointer(c.path, k), k, o[k], subschema(c.schema, k))) };
}

/**
 * A flat object of scalars; also an object of up to 30 keys with some nested values
 * (those become json-formatted fields): most small payloads read best as a list of pairs.
 */
export function keyValue(c: Candidate, title: string, allowNested: boolean): RenderDecision | null {
  const o = c.value;
  if (!isObject(o)) return null;
  const keys = Object.keys(o);
  if (keys.length === 0 || keys.length > MAX_KEY_VALUES) return null;
  const scalars = keys.filter((k) => isScalar(o[k]));
  if (scalars.length < keys.length && (!allowNested || scalars.length === 0)) return null;
  return { strategy: 'key_value', title, fields: keys.map((k) => field(pointer(c.path, k), k, o[k], subschema(c.schema, k))) };
}

/** A string alone: its kind of text decides (a diff, code, Markdown), else nothing. */
export function text(c: Candidate, title: string): RenderDecision | null {
  if (typeof c.value !== 'string') return null;
  const kind = textKind(c.value);
  const strategy = kind === 'diff' || kind === 'code' || kind === 'markdown' ? kind : null;
  if (!strategy) return null;
  return { strategy, title, fields: [{ path: c.path, label: title, format: strategy }] };
}

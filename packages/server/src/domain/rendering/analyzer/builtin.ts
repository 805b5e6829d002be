import type { RenderDecision, RenderInput } from '../rendering.types.ts';
import { chart, list, table, timeline } from './collections.ts';
import { codeWithLanguage, diffPair, keyValue, metric, text } from './objects.ts';
import { isObject, labelOf, pointer, subschema, type Candidate } from './shape.ts';

/**
 * The built-in analyzer (SPEC §6): deterministic, no network. Each detector looks at one
 * candidate, the value of the payload's only key first (`{"files":[…]}` is a table of files),
 * then the whole payload; the first that recognises its shape wins. Order matters where
 * shapes overlap: numeric points are a chart before they are timed rows, timed rows are a
 * timeline before they are a table.
 */
type Detector = (c: Candidate, title: string) => RenderDecision | null;

const DETECTORS: Detector[] = [
  diffPair,
  codeWithLanguage,
  chart,
  timeline,
  table,
  list,
  text,
  metric,
  (c, title) => keyValue(c, title, false),
];

function schemaTitle(schema: unknown): string | null {
  return isObject(schema) && typeof schema.title === 'string' && schema.title.trim() ? schema.title.trim().slice(0, 200) : null;
}

function detect(c: Candidate, title: string): RenderDecision | null {
  for (const detector of DETECTORS) {
    const decision = detector(c, title);
    if (decision) return decision;
  }
  return null;
}

export function analyzeBuiltin(input: RenderInput): RenderDecision {
  const { data, dataSchema } = input;
  const title = schemaTitle(dataSchema) ?? (input.actionName.trim().slice(0, 200) || labelOf(input.type));
  const whole: Candidate = { value: data, path: '', key: null, schema: dataSchema };
  if (isObject(data)) {
    const keys = Object.keys(data);
    if (keys.length === 1) {
      const key = keys[0]!;
      const schema = subschema(dataSchema, key);
      const inner: Candidate = { value: data[key], path: pointer('', key), key, schema };
      const found = detect(inner, schemaTitle(schema) ?? labelOf(key));
      if (found) return found;
    }
  }
  return detect(whole, title)
    ?? keyValue(whole, title, true)
    ?? { strategy: 'json', title, fields: [{ path: '', label: title, format: 'json' }] };
}

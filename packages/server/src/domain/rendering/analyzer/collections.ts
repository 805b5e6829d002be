import type { RenderDecision, RenderField } from '../rendering.types.ts';
import { columnsOf, field, isObject, isScalar, pointer, subschema, timeKeyOf, type Candidate, type JsonObject } from './shape.ts';

/** Arrays: a numeric series (chart), timed rows (timeline), rows sharing keys (table), scalars (list). */

const MAX_COLUMNS = 20;
const X_KEYS = ['x', 't', 'time', 'ts', 'timestamp', 'date', 'at'];
const Y_KEYS = ['y', 'value', 'v', 'count'];

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** `{x|t|time, y|value}` points: the x key and the y key, or null. */
function pointKeys(rows: unknown[]): { x: string; y: string } | null {
  const first = rows[0];
  if (!isObject(first) || Object.keys(first).length > 3) return null;
  const x = X_KEYS.find((k) => k in first);
  const y = Y_KEYS.find((k) => finite(first[k]));
  if (!x || !y) return null;
  const xOk = (v: unknown) => finite(v) || typeof v === 'string';
  return rows.every((r) => isObject(r) && xOk(r[x]) && finite(r[y])) ? { x, y } : null;
}

export function chart(c: Candidate, title: string): RenderDecision | null {
  const rows = c.value;
  if (!Array.isArray(rows) || rows.length < 2) return null;
  if (rows.every(finite)) {
    return { strategy: 'chart', title, fields: [{ path: c.path, label: title, format: Number.isInteger(rows[0]) ? 'integer' : 'number' }] };
  }
  const keys = pointKeys(rows);
  if (!keys) return null;
  const item = subschema(c.schema, 0);
  const first = rows[0] as JsonObject;
  return {
    strategy: 'chart',
    title,
    fields: [
      field(pointer(c.path, 0, keys.x), keys.x, first[keys.x], subschema(item, keys.x)),
      field(pointer(c.path, 0, keys.y), keys.y, first[keys.y], subschema(item, keys.y)),
    ],
  };
}

/** Row columns as fields: `<array>/0/<column>`; row i's cell is `<array>/i/<column>`. */
function columnFields(c: Candidate, rows: JsonObject[], keys: string[]): RenderField[] {
  const item = subschema(c.schema, 0);
  return keys.map((key) => {
    const sample = rows.find((r) => r[key] !== undefined && r[key] !== null)?.[key] ?? null;
    // The first row may lack a column other rows have: point at a row that has it.
    const at = Math.max(0, rows.findIndex((r) => key in r));
    return field(pointer(c.path, at, key), key, sample, subschema(item, key));
  });
}

function objectRows(value: unknown): JsonObject[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  return value.every(isObject) ? (value as JsonObject[]) : null;
}

export function timeline(c: Candidate, title: string): RenderDecision | null {
  const rows = objectRows(c.value);
  if (!rows) return null;
  const timeKeys = rows.slice(0, 200).map(timeKeyOf);
  if (timeKeys.some((k) => k === null)) return null;
  const timeKey = timeKeys[0]!;
  const keys = [timeKey, ...columnsOf(rows, MAX_COLUMNS).filter((k) => k !== timeKey)].slice(0, MAX_COLUMNS);
  return { strategy: 'timeline', title, fields: columnFields(c, rows, keys) };
}

/** Rows share keys when every row has at least one key the others have too. */
export function table(c: Candidate, title: string): RenderDecision | null {
  const rows = objectRows(c.value);
  if (!rows) return null;
  const sample = rows.slice(0, 200);
  const counts = new Map<string, number>();
  for (const row of sample) for (const key of Object.keys(row)) counts.set(key, (counts.get(key) ?? 0) + 1);
  const shared = [...counts].filter(([, n]) => n >= Math.max(1, sample.length / 2)).map(([k]) => k);
  if (shared.length === 0) return null;
  if (sample.length > 1 && !sample.every((row) => shared.some((k) => k in row))) return null;
  const keys = columnsOf(rows, MAX_COLUMNS * 2).filter((k) => shared.includes(k)).slice(0, MAX_COLUMNS);
  return { strategy: 'table', title, fields: columnFields(c, rows, keys) };
}

export function list(c: Candidate, title: string): RenderDecision | null {
  const items = c.value;
  if (!Array.isArray(items) || items.length === 0 || !items.every(isScalar)) return null;
  const sample = items.find((v) => v !== null) ?? null;
  return { strategy: 'list', title, fields: [{ ...field(c.path, c.key ?? 'items', sample, subschema(c.schema, 0)), label: title }] };
}

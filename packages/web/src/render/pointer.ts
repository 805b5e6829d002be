import type { RenderField } from '../lib/types.ts';

/** RFC 6901: the value at a JSON pointer, or undefined. */
export function getPointer(data: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return pointer === '' ? data : (data as Record<string, unknown>)?.[''];
  if (!pointer.startsWith('/')) return undefined;
  let value: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** What a render draws: the payload, or the value of its only key (`{"files":[…]}`), with that key's pointer. */
export function subjectOf(data: unknown): { value: unknown; base: string } {
  if (isObject(data)) {
    const keys = Object.keys(data);
    if (keys.length === 1 && typeof data[keys[0]!] === 'object' && data[keys[0]!] !== null) {
      return { value: data[keys[0]!], base: `/${keys[0]!.replace(/~/g, '~0').replace(/\//g, '~1')}` };
    }
  }
  return { value: data, base: '' };
}

/** The array a row-shaped render (table, timeline) draws. */
export function rowsOf(data: unknown, fields: RenderField[] | undefined): { rows: unknown[]; base: string } {
  const subject = subjectOf(data);
  if (Array.isArray(subject.value)) return { rows: subject.value, base: subject.base };
  for (const field of fields ?? []) {
    // "/items/0/name" or "/items/*/name": the array is what comes before the index.
    const match = /^(.*?)\/(\d+|\*|-)(\/|$)/.exec(field.path);
    if (match) {
      const rows = getPointer(data, match[1]!);
      if (Array.isArray(rows)) return { rows, base: match[1]! };
    }
  }
  return { rows: [], base: subject.base };
}

/** A field's pointer within one row: absolute paths into the array lose their prefix and index. */
export function columnPointer(path: string, base: string): string {
  let rest = base && path.startsWith(`${base}/`) ? path.slice(base.length) : path;
  rest = rest.replace(/^\/(\d+|\*|-)(?=\/|$)/, '');
  return rest;
}

/** Columns of a table: the render's fields, else the keys the rows share. */
export function columnsOf(rows: unknown[], fields: RenderField[] | undefined, base: string): RenderField[] {
  if (fields && fields.length) return fields.map((f) => ({ ...f, path: columnPointer(f.path, base) }));
  const keys: string[] = [];
  for (const row of rows.slice(0, 50)) if (isObject(row)) for (const k of Object.keys(row)) if (!keys.includes(k)) keys.push(k);
  return keys.map((k) => ({ path: `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, label: k }));
}

/** A value as text for a cell or a figure, by the field's format. */
export function formatValue(value: unknown, format?: string | null): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'number') {
    switch (format) {
      case 'usd': case 'currency': return `$${value.toFixed(value !== 0 && Math.abs(value) < 0.01 ? 4 : 2)}`;
      case 'percent': return `${(value <= 1 ? value * 100 : value).toFixed(1)}%`;
      case 'ms': case 'duration_ms': return value < 1000 ? `${value} ms` : `${(value / 1000).toFixed(2)} s`;
      case 'bytes': return value < 1024 ? `${value} B` : value < 1048576 ? `${(value / 1024).toFixed(1)} KB` : `${(value / 1048576).toFixed(1)} MB`;
      default: return value.toLocaleString('en-US', { maximumFractionDigits: 4 });
    }
  }
  if (typeof value === 'string') {
    if ((format === 'datetime' || format === 'date-time' || format === 'timestamp') && !Number.isNaN(Date.parse(value))) return new Date(value).toLocaleString();
    return value;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

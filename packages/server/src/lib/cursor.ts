import { ValidationError } from '../errors.ts';

/**
 * Keyset cursors: an opaque base64url of the sort key of the last row returned.
 * Pages are stable under concurrent inserts because the sort key is immutable.
 */
export function encodeCursor(values: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, shape: ReadonlyArray<'string' | 'number' | 'date'>): (string | number | Date)[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('cursor', 'is not a cursor this API returned');
  }
  if (!Array.isArray(values) || values.length !== shape.length) {
    throw new ValidationError('cursor', 'is not a cursor this API returned');
  }
  return values.map((value, i) => {
    const kind = shape[i];
    if (kind === 'date') {
      const date = new Date(String(value));
      if (typeof value !== 'string' || Number.isNaN(date.getTime())) throw new ValidationError('cursor', 'is not a cursor this API returned');
      return date;
    }
    if (typeof value !== kind) throw new ValidationError('cursor', 'is not a cursor this API returned');
    return value as string | number;
  });
}

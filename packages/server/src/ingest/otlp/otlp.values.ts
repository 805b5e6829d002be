/** Plain values out of decoded OTLP messages (protobufjs objects from protobuf or JSON alike). */

export interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: unknown;
  doubleValue?: number | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
}
export interface KeyValue {
  key?: string | null;
  value?: AnyValue | null;
}
export type Attributes = Record<string, unknown>;

/** An int64 as protobufjs gives it (Long, number or string) as a JS number; null when absent. */
export function int64(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value.trim() === '' ? null : Number(value);
  if (typeof value === 'object' && 'toNumber' in value && typeof value.toNumber === 'function') return value.toNumber() as number;
  return null;
}

/**
 * Nanoseconds since the epoch as a bigint-safe decimal string for the database, and as an
 * exact bigint for ordering: a JS number loses the last digits of a nanosecond time.
 */
export function nanos(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'string') return value.trim() === '' ? 0n : BigInt(value);
  if (typeof value === 'object' && 'toString' in value) {
    const text = String(value);
    return /^-?\d+$/.test(text) ? BigInt(text) : 0n;
  }
  return 0n;
}

export function nanosToDate(ns: bigint): Date {
  return new Date(Number(ns / 1_000_000n));
}

export function hex(bytes: Uint8Array | null | undefined): string {
  return bytes && bytes.length > 0 ? Buffer.from(bytes).toString('hex') : '';
}

export function anyValue(value: AnyValue | null | undefined): unknown {
  if (!value) return null;
  if (value.stringValue !== undefined && value.stringValue !== null) return value.stringValue;
  if (value.boolValue !== undefined && value.boolValue !== null) return value.boolValue;
  if (value.intValue !== undefined && value.intValue !== null) return int64(value.intValue);
  if (value.doubleValue !== undefined && value.doubleValue !== null) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue) return attributes(value.kvlistValue.values);
  if (value.bytesValue) return Buffer.from(value.bytesValue).toString('base64');
  return null;
}

export function attributes(list: KeyValue[] | null | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of list ?? []) if (kv.key) out[kv.key] = anyValue(kv.value);
  return out;
}

/** The first of `keys` holding a non-empty string (numbers are written out). */
export function str(attrs: Attributes, ...keys: string[]): string | null {
  for (const key of keys) {
    const v = attrs[key];
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return null;
}

/** The first of `keys` holding a finite number (exporters that stringify attributes write "123"). */
export function num(attrs: Attributes, ...keys: string[]): number | null {
  for (const key of keys) {
    const v = attrs[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return null;
}

export function bool(attrs: Attributes, key: string): boolean | null {
  const v = attrs[key];
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return null;
}

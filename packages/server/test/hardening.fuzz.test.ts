import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BACKENDS, createTenant, useApp } from './helpers.ts';

/** A small seeded generator (mulberry32): the same seed sends the same requests. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    chance: (p: number) => next() < p,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
type Rng = ReturnType<typeof rng>;

const STRINGS = [
  '', 'a', 'run-1', 'x'.repeat(201), 'y'.repeat(3000), '💥✓ü', '\u0000\u0007', '../../etc/passwd', "'; DROP TABLE runs;--",
  '2026-01-01T00:00:00Z', '2026-13-45T99:99:99Z', 'not-a-date', '%E0%A4%A', '-1', '1e309', 'NaN', 'null', 'true',
  '{"a":1}', '<script>alert(1)</script>', 'running', 'completed', 'admin', 'llm', 'http://127.0.0.1:9/x',
];
const NUMBERS = [0, -1, 1, 7, 3.5, 1e15, 2 ** 53, -(2 ** 31), 1e308, 0.000001];

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  required?: string[];
}

/** Mostly shaped like the schema (so requests get past validation and reach the handlers), sometimes not at all. */
function valueFor(schema: Schema | undefined, r: Rng, depth = 0): unknown {
  if (!schema || depth > 4 || r.chance(0.08)) return junk(r, depth);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return valueFor(r.pick(alternatives), r, depth);
  if (schema.enum) return r.chance(0.85) ? r.pick(schema.enum) : r.pick(STRINGS);
  const type = Array.isArray(schema.type) ? r.pick(schema.type) : schema.type;
  switch (type) {
    case 'string': return r.chance(0.3) ? randomUUID() : r.pick(STRINGS);
    case 'integer': return r.chance(0.7) ? r.int(100) : Math.trunc(r.pick(NUMBERS));
    case 'number': return r.pick(NUMBERS);
    case 'boolean': return r.chance(0.5);
    case 'null': return null;
    case 'array': return Array.from({ length: r.int(4) }, () => valueFor(schema.items, r, depth + 1));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(name) ? r.chance(0.95) : r.chance(0.5)) out[name] = valueFor(property, r, depth + 1);
      }
      if (r.chance(0.1)) out[r.pick(['extra', '__proto__', 'constructor'])] = junk(r, depth + 1);
      return out;
    }
    default: return junk(r, depth);
  }
}

function junk(r: Rng, depth: number): unknown {
  const kinds = [() => r.pick(STRINGS), () => r.pick(NUMBERS), () => null, () => r.chance(0.5), () => [], () => ({})];
  if (depth < 3) kinds.push(() => ({ [r.pick(STRINGS)]: junk(r, depth + 1) }), () => [junk(r, depth + 1)]);
  return r.pick(kinds)();
}

function pathValue(r: Rng, schema: Schema | undefined): string {
  const roll = r.next();
  if (roll < 0.05) return '%E0%A4%A';
  if (roll < 0.08) return 'z'.repeat(r.pick([150, 601, 2000]));
  return encodeURIComponent(String(valueFor(schema, r)));
}

interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

const PER_ROUTE = 12;
const SEED = 20_261_202;

describe.each(BACKENDS)('fuzzing every route of /openapi.json on %s', (backend) => {
  const ctx = useApp(backend);

  it(`${PER_ROUTE} seeded requests a route: never a 5xx, every error {error, message, details}`, async () => {
    const t = await createTenant(ctx);
    const spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>> };
    const r = rng(SEED);
    const failures: string[] = [];
    let sent = 0;
    const statuses = new Map<number, number>();
    for (const [template, methods] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (let i = 0; i < PER_ROUTE; i++) {
          const params = operation.parameters ?? [];
          const url = template.replace(/\{(\w+)\}/g, (_, name: string) => pathValue(r, params.find((p) => p.name === name)?.schema));
          const query = new URLSearchParams();
          for (const p of params.filter((p) => p.in === 'query')) {
            if (r.chance(0.4)) query.append(p.name, String(valueFor(p.schema, r)));
          }
          if (r.chance(0.05)) query.append(r.pick(['unknown', 'limit', 'cursor']), r.pick(STRINGS));
          const headers: Record<string, string> = {};
          const auth = r.next();
          if (auth < 0.85) headers.authorization = `Bearer ${t.keys.admin}`;
          else if (auth < 0.92) headers.authorization = `Bearer ${t.keys.read}`;
          else if (auth < 0.96) headers.authorization = r.pick(['Bearer', 'Basic abc', `Bearer ${'k'.repeat(500)}`, 'Bearer rlk_nope']);
          let payload: string | undefined;
          const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
          if (method !== 'get' && (bodySchema || r.chance(0.2))) {
            const shape = r.next();
            headers['content-type'] = shape < 0.05 ? r.pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) : 'application/json';
            payload = shape < 0.1 ? r.pick(['{', '{"a":', 'nul', '[1,2', '\u0000', '']) : JSON.stringify(valueFor(bodySchema, r));
          }
          const res = await ctx.app.inject({ method: method.toUpperCase() as 'GET', url: `${url}${query.size ? `?${query}` : ''}`, headers, ...(payload === undefined ? {} : { payload }) });
          sent++;
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          const where = `${method.toUpperCase()} ${url.slice(0, 120)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
          if (res.statusCode >= 500) failures.push(where);
          // The OTLP receiver (/v1/traces|logs|metrics) answers errors as OTLP requires ({code, message}, google.rpc.Status).
          if (res.statusCode >= 400 && !template.startsWith('/v1/')) {
            let body: any;
            try {
              body = JSON.parse(res.body);
            } catch {
              body = undefined;
            }
            const shaped = body && typeof body.error === 'string' && /^[a-z_]+$/.test(body.error) && typeof body.message === 'string'
              && body.details !== null && typeof body.details === 'object' && !Array.isArray(body.details);
            if (!shaped) failures.push(`shape: ${where}`);
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(Object.keys(spec.paths).length * PER_ROUTE);
    if (process.env.FUZZ_REPORT) console.log(sent, [...statuses].sort((x, y) => x[0] - y[0]));
    // Enough requests get past validation to exercise the handlers, not only the schemas.
    const ok = [...statuses].filter(([status]) => status < 300).reduce((n, [, count]) => n + count, 0);
    expect(ok).toBeGreaterThan(sent / 10);
    expect(failures).toEqual([]);
  }, 600_000);
});

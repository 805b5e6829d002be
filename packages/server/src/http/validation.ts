import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Bodies are validated strictly: a string where a number belongs is a 400, not coerced, and
 * an unknown field is a 400, not silently dropped. Query strings and params arrive as text,
 * so there numbers and booleans are coerced and a single value becomes a one-element array
 * where the schema wants an array.
 */
function build(options: Options, externalSchemas: Record<string, unknown>): Ajv {
  const ajv = new Ajv({ allErrors: false, removeAdditional: false, useDefaults: true, strict: false, ...options });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema as object);
  return ajv;
}

/**
 * Contexts with the same shared schemas share their two Ajv instances: each new instance
 * compiles the JSON Schema meta-schema, and Fastify asks once per plugin (seconds at start).
 */
const shared: Array<{ schemas: unknown[]; strict: Ajv; coercing: Ajv }> = [];
function validatorsFor(externalSchemas: Record<string, unknown>): { strict: Ajv; coercing: Ajv } {
  const schemas = Object.values(externalSchemas);
  const same = shared.find((entry) => entry.schemas.length === schemas.length && entry.schemas.every((schema, i) => schema === schemas[i]));
  if (same) return same;
  const entry = { schemas, strict: build({ coerceTypes: false }, externalSchemas), coercing: build({ coerceTypes: 'array' }, externalSchemas) };
  shared.push(entry);
  return entry;
}

/**
 * A Fastify `compilersFactory.buildValidator`: Fastify calls it for every encapsulated context
 * with that context's shared schemas, so the rules hold in every plugin (setValidatorCompiler
 * on the root is lost in children that add schemas).
 */
export function buildValidator(externalSchemas: Record<string, unknown> = {}): FastifySchemaCompiler<unknown> {
  const { strict, coercing } = validatorsFor(externalSchemas);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    // Compiled on the route's first request: compiling every route's schemas at start cost
    // most of the start-up time and memory. Fastify reads `errors` off the function it calls.
    let compiled: ValidateFunction | null = null;
    const validate = (data: unknown) => {
      compiled ??= ajv.compile(schema as object);
      const ok = compiled(data);
      validate.errors = compiled.errors;
      return ok;
    };
    validate.errors = null as ValidateFunction['errors'];
    return validate as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}

import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

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
 * compiles the JSON Schema meta-schema, and Fastify asks once per plugin. They are made on the
 * first request that needs one, like the validators (not at start).
 */
interface Validators { schemas: unknown[]; strict: () => Ajv; coercing: () => Ajv }
const shared: Validators[] = [];
function validatorsFor(externalSchemas: Record<string, unknown>): Validators {
  const schemas = Object.values(externalSchemas);
  const same = shared.find((entry) => entry.schemas.length === schemas.length && entry.schemas.every((schema, i) => schema === schemas[i]));
  if (same) return same;
  let strict: Ajv | null = null;
  let coercing: Ajv | null = null;
  const entry: Validators = {
    schemas,
    strict: () => (strict ??= build({ coerceTypes: false }, externalSchemas)),
    coercing: () => (coercing ??= build({ coerceTypes: 'array' }, externalSchemas)),
  };
  shared.push(entry);
  return entry;
}

/**
 * A Fastify `compilersFactory.buildValidator`: Fastify calls it for every encapsulated context
 * with that context's shared schemas, so the rules hold in every plugin (setValidatorCompiler
 * on the root is lost in children that add schemas).
 */
export function buildValidator(externalSchemas: Record<string, unknown> = {}): FastifySchemaCompiler<unknown> {
  const validators = validatorsFor(externalSchemas);
  return ({ schema, httpPart }) => {
    // Compiled on the route's first request: compiling every route's schemas at start cost
    // most of the start-up time and memory. Fastify reads `errors` off the function it calls.
    let compiled: ValidateFunction | null = null;
    const validate = (data: unknown) => {
      compiled ??= (httpPart === 'body' ? validators.strict() : validators.coercing()).compile(schema as object);
      const ok = compiled(data);
      validate.errors = compiled.errors;
      return ok;
    };
    validate.errors = null as ValidateFunction['errors'];
    return validate as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}

type SerializerFactory = (externalSchemas: Record<string, unknown>, options?: unknown) => (route: { schema: unknown }) => (data: unknown) => string;

/**
 * A Fastify `compilersFactory.buildSerializer`: Fastify's own (fast-json-stringify), each
 * response schema compiled on the first answer that uses it rather than all of them at start.
 */
export function buildSerializer(externalSchemas: Record<string, unknown> = {}, options?: unknown): ReturnType<SerializerFactory> {
  const compile = (SerializerSelector as unknown as () => SerializerFactory)()(externalSchemas, options);
  return (route) => {
    let serialize: ((data: unknown) => string) | null = null;
    return (data) => (serialize ??= compile(route))(data);
  };
}

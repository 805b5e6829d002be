import { Ajv, type Options } from 'ajv';
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
 * A Fastify `compilersFactory.buildValidator`: Fastify calls it for every encapsulated context
 * with that context's shared schemas, so the rules hold in every plugin (setValidatorCompiler
 * on the root is lost in children that add schemas).
 */
export function buildValidator(externalSchemas: Record<string, unknown> = {}): FastifySchemaCompiler<unknown> {
  const strict = build({ coerceTypes: false }, externalSchemas);
  const coercing = build({ coerceTypes: 'array' }, externalSchemas);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}

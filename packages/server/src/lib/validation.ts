import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * The API's schema rules and its 400 answers, with no web framework in them: the HTTP layer
 * plugs them into Fastify, and the /ingest batch checks each item's body with them.
 */

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
export interface Validators { schemas: unknown[]; strict: () => Ajv; coercing: () => Ajv }
const shared: Validators[] = [];
export function validatorsFor(externalSchemas: Record<string, unknown>): Validators {
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
 * A validator for one schema, compiled on its first use; `errors` holds the last call's issues.
 * `part` body: strict; anything else (query string, params): coercing.
 */
export function lazyValidator(validators: Validators, schema: unknown, part: 'body' | 'query'): ((data: unknown) => boolean) & { errors: ValidateFunction['errors'] } {
  let compiled: ValidateFunction | null = null;
  const validate = (data: unknown) => {
    compiled ??= (part === 'body' ? validators.strict() : validators.coercing()).compile(schema as object);
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  };
  validate.errors = null as ValidateFunction['errors'];
  return validate;
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** `/steps/0/input_tokens` + missing `kind` → `steps[0].input_tokens`, `kind`. */
function fieldOf(issue: AjvIssue): string {
  const parts = issue.instancePath.split('/').filter(Boolean);
  const extra = issue.params.missingProperty ?? issue.params.additionalProperty;
  if (typeof extra === 'string') parts.push(extra);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

/** The API's 400 body for the first schema violation; `location` is body, querystring, items[3].body… */
export function describeValidation(issues: readonly unknown[], location: string) {
  const issue = issues[0] as AjvIssue;
  const field = fieldOf(issue);
  let message = issue.message ?? 'is invalid';
  if (issue.keyword === 'additionalProperties') message = 'is not a known field';
  if (issue.keyword === 'required') message = 'is required';
  if (issue.keyword === 'enum') message = `must be one of ${(issue.params.allowedValues as string[]).join(', ')}`;
  return {
    error: 'validation_error',
    message: `${location}${field ? `.${field}` : ''} ${message}`,
    details: { location, field: field || location, rule: issue.keyword },
  };
}


import { Ajv, type AnySchemaObject } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ValidationError } from '../../errors.ts';

/**
 * An activity's `data_schema` must be a JSON Schema (SPEC §6): checked against its
 * meta-schema at write time, so a bad one is a 400 naming the field, never a render that
 * fails later. Draft-07 by default; 2019-09 and 2020-12 when `$schema` names them.
 */
const options = { strict: false, validateFormats: false, logger: false } as const;
const drafts = {
  draft7: new Ajv(options),
  draft2019: new Ajv2019(options),
  draft2020: new Ajv2020(options),
};

function ajvFor(schema: AnySchemaObject) {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (declared.includes('2020-12')) return drafts.draft2020;
  if (declared.includes('2019-09')) return drafts.draft2019;
  return drafts.draft7;
}

const KNOWN_META = /json-schema\.org\/(draft-0[4-7]|draft\/2019-09|draft\/2020-12)\/schema/;

export function checkDataSchema(field: string, schema: unknown): void {
  if (schema === undefined || schema === null) return;
  if (typeof schema !== 'object' || Array.isArray(schema)) throw new ValidationError(field, 'must be a JSON Schema object');
  const object = schema as AnySchemaObject;
  if (object.$schema !== undefined && (typeof object.$schema !== 'string' || !KNOWN_META.test(object.$schema))) {
    throw new ValidationError(field, 'names an unknown $schema; use draft-07, 2019-09 or 2020-12');
  }
  const ajv = ajvFor(object);
  const { $schema: _ignored, ...body } = object;
  let valid: boolean;
  try {
    valid = ajv.validateSchema(body) as boolean;
  } catch (err) {
    throw new ValidationError(field, `is not a valid JSON Schema: ${(err as Error).message}`);
  }
  if (!valid) {
    const first = ajv.errors?.[0];
    const where = first?.instancePath ? ` at ${first.instancePath}` : '';
    throw new ValidationError(field, `is not a valid JSON Schema${where}: ${first?.message ?? 'rejected by its meta-schema'}`, {
      schema_errors: (ajv.errors ?? []).slice(0, 5).map((e) => ({ path: e.instancePath, message: e.message })),
    });
  }
}

import type { FastifySchemaCompiler } from 'fastify';
import { lazyValidator, validatorsFor } from '../lib/validation.ts';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

/**
 * A Fastify `compilersFactory.buildValidator`: Fastify calls it for every encapsulated context
 * with that context's shared schemas, so the rules hold in every plugin (setValidatorCompiler
 * on the root is lost in children that add schemas).
 */
export function buildValidator(externalSchemas: Record<string, unknown> = {}): FastifySchemaCompiler<unknown> {
  const validators = validatorsFor(externalSchemas);
  // Compiled on the route's first request: compiling every route's schemas at start cost
  // most of the start-up time and memory. Fastify reads `errors` off the function it calls.
  return ({ schema, httpPart }) => lazyValidator(validators, schema, httpPart === 'body' ? 'body' : 'query') as ReturnType<FastifySchemaCompiler<unknown>>;
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

import { Type, type TSchema } from '@sinclair/typebox';

/** The one error body of the API (SPEC §4). */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'machine-readable code' }),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'Error' },
);

/** A timestamp the client sends: ISO-8601 text. */
export const Timestamp = (description?: string) => Type.String({ format: 'date-time', description });

/** A timestamp the API answers with: a Date from the database, serialised as ISO-8601 UTC. */
export const Instant = (description?: string) => Type.Unsafe<Date | string>({ type: 'string', format: 'date-time', description });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** One of a frozen list of strings (statuses, roles, levels): the list is the schema. */
export const Enum = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], description });

/** A JSON value stored as-is (jsonb): object, array or scalar. */
export const Json = Type.Unknown();

/** Client-chosen ids: printable, no spaces, bounded. */
export const ClientId = (description: string) =>
  Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:@/+=-]+$', description });

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
} as const;

import { Type } from '@sinclair/typebox';
import { ClientId, Instant, Nullable } from '../../http/schemas.ts';
import { ANALYZERS, FIELD_FORMATS, PROCESSING_STATUSES, STRATEGIES } from './rendering.types.ts';

const Enum = (values: readonly string[], description?: string) => Type.Unsafe<string>({ type: 'string', enum: [...values], description });

export const ActivityIdParams = Type.Object({ id: ClientId('activity id') });

export const Processing = Type.Object({
  id: Type.String(),
  processing_status: Enum(PROCESSING_STATUSES),
  processed_at: Nullable(Instant()),
  processing_attempts: Type.Integer(),
  processing_error: Nullable(Type.String()),
});

export const SchemaRender = Type.Object({
  version: Type.Integer(),
  strategy: Enum(STRATEGIES),
  title: Type.String(),
  fields: Type.Array(Type.Object({
    path: Type.String({ description: 'JSON pointer into data; rows of table, timeline and chart are <array>/<i>/<column>' }),
    label: Type.String(),
    format: Enum(FIELD_FORMATS),
  })),
  analyzer: Enum(ANALYZERS),
  fingerprint: Type.String({ description: 'the payload structure this render was made for (its cache key)' }),
  fallback_reason: Type.Optional(Type.String({ description: 'why the built-in analyzer answered instead of the LLM' })),
});

export const RetryQuery = Type.Object(
  { force: Type.Boolean({ default: false, description: 'render a COMPLETED activity again, bypassing the cache' }) },
  { additionalProperties: false },
);

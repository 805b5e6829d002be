import { Type, type Static } from '@sinclair/typebox';
import { Instant, Nullable } from '../../http/schemas.ts';
import { SCOPES } from './auth.types.ts';

const ScopeEnum = Type.Unsafe<(typeof SCOPES)[number]>({ type: 'string', enum: [...SCOPES] });

export const ApiKey = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  prefix: Type.String({ description: 'first characters of the secret, to recognise it' }),
  scopes: Type.Array(ScopeEnum),
  project_id: Nullable(Type.String()),
  created_by: Nullable(Type.String()),
  created_at: Instant(),
  last_used_at: Nullable(Instant()),
  revoked_at: Nullable(Instant()),
});

export const CreateKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(ScopeEnum, { minItems: 1, maxItems: 3, uniqueItems: true }),
    project_id: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type CreateKeyBody = Static<typeof CreateKeyBody>;

export const CreatedKey = Type.Object({
  key: Type.String({ description: 'the secret; shown only in this answer' }),
  api_key: ApiKey,
});

export const KeyParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

import { Type, type Static } from '@sinclair/typebox';
import { Enum, Instant, Nullable } from '../../http/schemas.ts';
import { ROLES } from '../auth/auth.types.ts';

export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Nullable(Type.String()),
  role: Enum(ROLES),
  department: Nullable(Type.String()),
  active: Type.Boolean(),
  created_at: Instant(),
});

export const CreatedUser = Type.Object({
  ...User.properties,
  password: Type.Optional(Type.String({ description: 'the generated password, in this answer only (absent when the request chose one)' })),
});

export const UserParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const CreateUserBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    role: Enum(ROLES),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 1000, description: 'generated (and answered once) when absent' })),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  {
    role: Type.Optional(Enum(ROLES)),
    name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    active: Type.Optional(Type.Boolean({ description: 'false signs the user out and refuses their sign-in' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

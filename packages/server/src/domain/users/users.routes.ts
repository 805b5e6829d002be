import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authOf } from '../../http/auth-hook.ts';
import { errorResponses } from '../../http/schemas.ts';
import { CreateUserBody, CreatedUser, UpdateUserBody, User, UserParams } from './users.schemas.ts';
import type { UsersService } from './users.service.ts';

/** People who sign in to the dashboard, managed while the server runs (admin scope). */
export const usersRoutes: FastifyPluginAsyncTypebox<{ users: UsersService }> = async (app, { users }) => {
  const tags = ['users'];
  const config = { scope: 'admin' as const };

  app.get('/users', {
    config,
    schema: { tags, summary: "The tenant's users (never their password hashes)", response: { 200: Type.Object({ users: Type.Array(User) }), ...errorResponses } },
  }, async (request) => users.list(authOf(request)));

  app.post('/users', {
    config,
    schema: { tags, summary: 'Create a user; a generated password is in this answer only', body: CreateUserBody, response: { 201: CreatedUser, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await users.create(authOf(request), request.body)));

  app.patch('/users/:id', {
    config,
    schema: {
      tags, summary: 'Change a user\'s role or name, or deactivate them (signs them out; 409 for the last active owner)',
      params: UserParams, body: UpdateUserBody, response: { 200: User, ...errorResponses },
    },
  }, async (request) => users.update(authOf(request), request.params.id, request.body));
};

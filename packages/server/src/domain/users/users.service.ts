import type { Database } from '../../db/database.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { AuthContext, UserRow } from '../auth/auth.types.ts';
import { generatePassword, hashPassword } from '../auth/secrets.ts';
import type { SessionsService } from '../auth/sessions.service.ts';
import * as repo from './users.repository.ts';
import type { CreateUserBody, UpdateUserBody } from './users.schemas.ts';

export interface UsersServiceDeps {
  db: Database;
  sessions: Pick<SessionsService, 'createUser'>;
  /**
   * Called after a user is deactivated (committed): the realtime hub closes that user's open
   * sockets here. Sessions and sign-in are already refused by then.
   */
  onUserDeactivated?: (tenantId: string, userId: string) => void;
}

export function toUserDto(row: UserRow) {
  const { tenant_id: _t, ...dto } = row;
  return dto;
}

/** People of a tenant (the users route, admin scope): create, list, change role or name, deactivate. */
export function createUsersService({ db, sessions, onUserDeactivated = () => {} }: UsersServiceDeps) {
  return {
    async list(auth: AuthContext) {
      return { users: (await repo.listUsers(db, auth.tenantId)).map(toUserDto) };
    },

    /** The generated password is answered once; a chosen one never is. */
    async create(auth: AuthContext, body: CreateUserBody) {
      const password = body.password ?? generatePassword();
      const row = await sessions.createUser({ tenantId: auth.tenantId, email: body.email.trim(), name: body.name ?? null, role: body.role, password });
      return { ...toUserDto(row), ...(body.password ? {} : { password }) };
    },

    /** The tenant always keeps an active owner: demoting or deactivating the last one is a 409. */
    async update(auth: AuthContext, id: string, body: UpdateUserBody) {
      const { row, deactivated } = await db.transaction(async (tx) => {
        const owners = await repo.lockActiveOwners(tx, auth.tenantId);
        const user = await repo.lockUser(tx, auth.tenantId, id);
        if (!user) throw new NotFoundError('user', id);
        const losesOwner = user.role === 'owner' && user.active && ((body.role !== undefined && body.role !== 'owner') || body.active === false);
        if (losesOwner && owners.length <= 1) {
          throw new ConflictError('last_owner', 'the tenant must keep an active owner: make another user owner first', { user_id: id });
        }
        const updated = await repo.updateUser(tx, auth.tenantId, id, body);
        const off = user.active && !updated.active;
        if (off) await repo.deleteUserSessions(tx, auth.tenantId, id);
        return { row: updated, deactivated: off };
      });
      if (deactivated) onUserDeactivated(auth.tenantId, id);
      return toUserDto(row);
    },

    /** `runlog users reset-password`: a new password and every session of the user ended. */
    async resetPassword(tenantId: string, email: string, password: string) {
      return db.transaction(async (tx) => {
        const user = await repo.findUserByEmail(tx, tenantId, email);
        if (!user) throw new NotFoundError('user', email);
        await repo.setPasswordHash(tx, tenantId, user.id, await hashPassword(password));
        await repo.deleteUserSessions(tx, tenantId, user.id);
        return toUserDto(user);
      });
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { AuthContext, Scope } from '../domain/auth/auth.types.ts';
import * as repo from './realtime.repository.ts';

export interface TicketServiceDeps {
  db: Database;
  /** How long a ticket can wait to be used; short, because it travels in a URL. */
  ttlMs: number;
}

const TICKET = /^rlt_[A-Za-z0-9_-]{43}$/;

function hashTicket(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}

/**
 * One-time WebSocket tickets. A browser cannot send an Authorization header with a
 * WebSocket upgrade, so it exchanges its credentials for a ticket valid for one connection
 * and a minute; only its hash is stored, in the database, so any node can redeem it.
 */
export function createTicketService({ db, ttlMs }: TicketServiceDeps) {
  return {
    async issue(auth: AuthContext): Promise<{ ticket: string; expires_at: Date }> {
      // 256 random bits: a fast hash is enough, there is nothing to brute-force.
      const ticket = `rlt_${randomBytes(32).toString('base64url')}`;
      const expiresAt = await repo.insertTicket(db, {
        tenantId: auth.tenantId,
        id: randomUUID(),
        hash: hashTicket(ticket),
        keyId: auth.keyId,
        scopes: auth.scopes,
        userId: auth.userId,
        projectId: auth.projectId,
        ttlMs,
      });
      return { ticket, expires_at: expiresAt };
    },

    /** The credentials behind a ticket, once; null when unknown, used or expired. */
    async redeem(ticket: string): Promise<AuthContext | null> {
      if (!TICKET.test(ticket)) return null;
      const row = await repo.takeTicket(db, hashTicket(ticket));
      if (!row || !row.valid) return null;
      return {
        tenantId: row.tenant_id,
        keyId: row.key_id ?? '',
        scopes: row.scopes as Scope[],
        userId: row.user_id,
        projectId: row.project_id,
      };
    },
  };
}

export type TicketService = ReturnType<typeof createTicketService>;

import type { Queryable } from '../db/database.ts';
import { processingColumns } from '../domain/activities/activity-columns.ts';
import type { RunRow } from '../domain/runs/runs.types.ts';

/**
 * The realtime part's own SQL: WebSocket tickets, and the reads the hub needs to rebuild
 * events it did not receive inline (activities come from activities.repository.ts).
 */

export interface TicketRow {
  tenant_id: string;
  key_id: string | null;
  scopes: string[];
  user_id: string | null;
  project_id: string | null;
  valid: boolean;
}

export interface NewTicket {
  tenantId: string;
  id: string;
  hash: string;
  keyId: string | null;
  scopes: readonly string[];
  userId: string | null;
  projectId: string | null;
  ttlMs: number;
}

/**
 * Stores a ticket's hash; expires_at comes from the database clock so every node agrees.
 * The tenant's expired tickets are purged in the same statement, keeping the table tiny.
 */
export async function insertTicket(db: Queryable, t: NewTicket): Promise<Date> {
  const { rows } = await db.query<{ expires_at: Date }>(
    `WITH purged AS (DELETE FROM ws_tickets WHERE tenant_id = $1 AND expires_at < now())
     INSERT INTO ws_tickets (tenant_id, id, ticket_hash, key_id, scopes, user_id, project_id, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now() + $8 * interval '1 millisecond')
     RETURNING expires_at`,
    [t.tenantId, t.id, t.hash, t.keyId, t.scopes, t.userId, t.projectId, t.ttlMs],
  );
  return rows[0]!.expires_at;
}

/**
 * Single use: the DELETE removes the ticket whatever its age, so two nodes redeeming the
 * same ticket at once cannot both win (one of them deletes nothing).
 */
export async function takeTicket(db: Queryable, hash: string): Promise<TicketRow | null> {
  const { rows } = await db.query<TicketRow>(
    `DELETE FROM ws_tickets WHERE ticket_hash = $1
     RETURNING tenant_id, key_id, scopes, user_id, project_id, expires_at > now() AS valid`,
    [hash],
  );
  return rows[0] ?? null;
}

/** Current rows of runs whose transitions the hub replays or fills in (primary key lookups). */
export async function listRunsByIds(db: Queryable, tenantId: string, ids: readonly string[]): Promise<RunRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<RunRow>(`SELECT * FROM runs WHERE tenant_id = $1 AND id = ANY($2::text[])`, [tenantId, ids]);
  return rows;
}

/** Newest seq of several tenants at once: the hub's periodic check for events it never heard of. */
export async function lastSeqs(db: Queryable, tenantIds: readonly string[]): Promise<Map<string, number>> {
  if (tenantIds.length === 0) return new Map();
  const { rows } = await db.query<{ tenant_id: string; last_seq: number }>(
    `SELECT tenant_id, last_seq FROM activity_sequences WHERE tenant_id = ANY($1::uuid[])`,
    [tenantIds],
  );
  return new Map(rows.map((r) => [r.tenant_id, r.last_seq]));
}

/** The render state of activities whose activity_rendered was too big for NOTIFY (primary key lookups). */
export async function listRenderStates(db: Queryable, tenantId: string, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(
    `SELECT ${processingColumns('a')} FROM activities a WHERE tenant_id = $1 AND id = ANY($2::text[])`,
    [tenantId, ids],
  );
  return rows;
}

/** Finished renders among the `span` seqs at or below `atOrBelow`, stored in the last `withinMs` ((tenant_id, seq) range). */
export async function listRecentRenders(db: Queryable, tenantId: string, atOrBelow: number, span: number, withinMs: number) {
  const { rows } = await db.query<{ seq: number; id: string }>(
    `SELECT ${processingColumns('a')}
     FROM activities a
     WHERE tenant_id = $1 AND seq <= $2 AND seq > $2 - $3
       AND processing_status IN ('COMPLETED', 'FAILED') AND processed_at > now() - $4 * interval '1 millisecond'
     ORDER BY seq`,
    [tenantId, atOrBelow, span, withinMs],
  );
  return rows;
}

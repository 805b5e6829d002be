import type { Queryable } from '../../db/database.ts';

/**
 * Sets the PostToolUse activity's duration from the PreToolUse of the same tool call, once
 * both are stored and the Post has none yet; returns it (null while a half is missing).
 *
 * Run after appending either half, in the same transaction: the append holds the tenant's
 * activity_sequences row lock, so of two halves written at once the second one sees the first
 * committed, whichever arrives first (a spooled Pre can be delivered after its Post).
 * Both lookups are primary-key hits.
 */
export async function pairToolDuration(tx: Queryable, tenantId: string, preId: string, postId: string): Promise<number | null> {
  const { rows } = await tx.query<{ duration_ms: number }>(
    `UPDATE activities AS post
     SET duration_ms = greatest(0, round(extract(epoch FROM post.occurred_at - pre.occurred_at) * 1000))::bigint
     FROM activities AS pre
     WHERE post.tenant_id = $1 AND post.id = $3 AND post.duration_ms IS NULL
       AND pre.tenant_id = $1 AND pre.id = $2
     RETURNING post.duration_ms`,
    [tenantId, preId, postId],
  );
  return rows[0]?.duration_ms ?? null;
}

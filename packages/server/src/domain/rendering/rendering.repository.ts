import type { Queryable } from '../../db/database.ts';
import { processingColumns, renderOf } from '../activities/activity-columns.ts';
import type { ProcessingStatus, SchemaRender } from './rendering.types.ts';

/**
 * Rendering's SQL. The job queue is the activities table itself: a PENDING row is a job
 * (written by appendActivities in the writer's transaction), claimed through the partial
 * index activities_render_queue_idx (0014), which holds only PENDING and PROCESSING rows.
 */

export interface ClaimedActivity {
  tenant_id: string;
  id: string;
  seq: number;
  type: string;
  action_name: string;
  data: unknown;
  data_schema: unknown;
  processing_attempts: number;
  processing_force: boolean;
  created_at: Date;
}

/**
 * Claims up to `limit` due rows: PENDING ones (a retry's backoff past) and PROCESSING ones
 * whose lease expired (their worker died). SKIP LOCKED lets workers on every node claim at
 * once without waiting on each other; the lease and the attempt count are set in the same
 * statement, so a claim is one round trip.
 */
export async function claimDue(db: Queryable, limit: number, leaseMs: number): Promise<ClaimedActivity[]> {
  const { rows } = await db.query<ClaimedActivity>(
    `WITH picked AS (
       SELECT tenant_id, id FROM activities
       WHERE processing_status IN ('PENDING', 'PROCESSING')
         AND coalesce(processing_after, '-infinity') <= now()
       -- No ORDER BY: a sort would read every waiting row to return $1 of them (a backlog
       -- makes each claim slower). The append-only heap returns them oldest first anyway.
       LIMIT $1
       FOR UPDATE SKIP LOCKED
     )
     UPDATE activities a
     SET processing_status = 'PROCESSING',
         processing_after = now() + $2 * interval '1 millisecond',
         processing_attempts = a.processing_attempts + 1
     FROM picked
     WHERE a.tenant_id = picked.tenant_id AND a.id = picked.id
     RETURNING a.tenant_id, a.id, a.seq, a.type, a.action_name, a.data, a.data_schema,
               a.processing_attempts, a.processing_force, a.created_at`,
    [limit, leaseMs],
  );
  return rows;
}

/**
 * Locks up to `limit` due rows in the caller's transaction without changing them: renders
 * that need no network (built-in analyzer, cached) are stored by the same transaction in one
 * UPDATE, so such an activity costs one row version, not two (PENDING → COMPLETED directly;
 * PROCESSING is the lock). Same rows, index and reasoning as claimDue.
 */
export async function lockDue(tx: Queryable, limit: number, { lock = true }: { lock?: boolean } = {}): Promise<ClaimedActivity[]> {
  const { rows } = await tx.query<ClaimedActivity>(
    `SELECT tenant_id, id, seq, type, action_name, data, data_schema, processing_attempts, processing_force, created_at
     FROM activities
     WHERE processing_status IN ('PENDING', 'PROCESSING')
       AND coalesce(processing_after, '-infinity') <= now()
     LIMIT $1
     ${lock ? 'FOR UPDATE SKIP LOCKED' : ''}`,
    [limit],
  );
  return rows;
}

/** Locked rows that need the LLM: PROCESSING under a lease, analysed after the transaction. */
export async function markProcessing(
  tx: Queryable, rows: ReadonlyArray<{ tenant_id: string; id: string; processing_attempts: number }>, leaseMs: number,
  { guard = false }: { guard?: boolean } = {},
): Promise<ClaimedActivity[]> {
  if (rows.length === 0) return [];
  // guard: rows read without a lock are claimed only if no one claimed them since.
  const { rows: claimed } = await tx.query<ClaimedActivity>(
    `UPDATE activities a
     SET processing_status = 'PROCESSING',
         processing_after = now() + $2 * interval '1 millisecond',
         processing_attempts = a.processing_attempts + 1
     FROM unnest($1::uuid[], $3::text[], $4::int[]) AS k(tenant_id, id, attempts)
     WHERE a.tenant_id = k.tenant_id AND a.id = k.id
       ${guard ? `AND a.processing_status IN ('PENDING', 'PROCESSING') AND a.processing_attempts = k.attempts` : ''}
     RETURNING a.tenant_id, a.id, a.seq, a.type, a.action_name, a.data, a.data_schema,
               a.processing_attempts, a.processing_force, a.created_at`,
    [rows.map((r) => r.tenant_id), leaseMs, rows.map((r) => r.id), rows.map((r) => r.processing_attempts)],
  );
  return claimed;
}

export interface RenderOutcome {
  tenant_id: string;
  id: string;
  /** The attempt this worker claimed: a row claimed again since (lease expired) is not overwritten. */
  attempts: number;
  status: Extract<ProcessingStatus, 'COMPLETED' | 'FAILED' | 'PENDING'>;
  render: SchemaRender | null;
  /** The render is its shape's row in render_cache (for the analyzer given to storeOutcomes): stored by reference. */
  cached: boolean;
  error: string | null;
  /** PENDING: retry after this long. */
  delay_ms: number | null;
}

export interface StoredOutcome {
  tenant_id: string;
  id: string;
  seq: number;
  processing_status: ProcessingStatus;
  schema_render: SchemaRender | null;
  processed_at: Date | null;
  processing_error: string | null;
  processing_attempts: number;
  created_at: Date;
}

/**
 * Stores a batch's outcomes in one statement; returns the rows it changed. `claimed`: rows
 * this worker marked PROCESSING earlier (a row claimed again since is left alone); `locked`:
 * rows locked by the caller's transaction (lockDue), whose attempt is counted here; `read`:
 * rows read without a lock, stored only if still due at the attempt that was read.
 */
export async function storeOutcomes(
  db: Queryable, analyzerKey: string, outcomes: readonly RenderOutcome[], mode: 'claimed' | 'locked' | 'read' = 'claimed',
): Promise<StoredOutcome[]> {
  if (outcomes.length === 0) return [];
  const guard = mode === 'claimed' ? `AND a.processing_status = 'PROCESSING' AND a.processing_attempts = r.attempts`
    : mode === 'read' ? `AND a.processing_status IN ('PENDING', 'PROCESSING') AND a.processing_attempts + 1 = r.attempts` : '';
  const attempts = mode === 'claimed' ? 'a.processing_attempts' : 'a.processing_attempts + 1';
  // A cached render is stored by reference (migration 0019); rows of one shape share one render
  // object otherwise, each distinct render sent once. Neither is read back (the statement
  // returns the stored render only where it kept the one before).
  const renders: SchemaRender[] = [];
  const indexOf = new Map<SchemaRender, number>();
  const input = outcomes.map(({ render, cached, ...rest }) => {
    if (render && !cached && !indexOf.has(render)) indexOf.set(render, renders.push(render) - 1);
    return { ...rest, render_index: render && !cached ? indexOf.get(render)! : null, fingerprint: render && cached ? render.fingerprint : null };
  });
  const { rows } = await db.query<StoredOutcome>(
    `UPDATE activities a
     SET processing_status = r.status,
         processing_attempts = ${attempts},
         schema_render = CASE WHEN r.fingerprint IS NOT NULL THEN NULL ELSE coalesce($2::jsonb -> r.render_index, a.schema_render) END,
         render_analyzer = CASE WHEN r.fingerprint IS NOT NULL THEN $3 WHEN r.render_index IS NOT NULL THEN NULL ELSE a.render_analyzer END,
         render_fingerprint = CASE WHEN r.render_index IS NOT NULL THEN NULL ELSE coalesce(r.fingerprint, a.render_fingerprint) END,
         processed_at = CASE WHEN r.status = 'PENDING' THEN a.processed_at ELSE now() END,
         processing_error = r.error,
         processing_after = CASE WHEN r.status = 'PENDING' THEN now() + r.delay_ms * interval '1 millisecond' END,
         processing_force = CASE WHEN r.status = 'COMPLETED' THEN false ELSE a.processing_force END
     FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id uuid, id text, attempts int, status text, render_index int, fingerprint text,
       error text, delay_ms bigint)
     WHERE a.tenant_id = r.tenant_id AND a.id = r.id ${guard}
     RETURNING a.tenant_id, a.id, a.seq, a.processing_status,
               CASE WHEN r.render_index IS NULL AND r.fingerprint IS NULL THEN ${renderOf('a')} END AS schema_render,
               a.processed_at, a.processing_error, a.processing_attempts, a.created_at`,
    [JSON.stringify(input), JSON.stringify(renders), analyzerKey],
  );
  if (!outcomes.some((o) => o.render)) return rows;
  const renderById = new Map(outcomes.map((o) => [`${o.tenant_id}\u0000${o.id}`, o.render]));
  return rows.map((row) => (row.schema_render ? row : { ...row, schema_render: renderById.get(`${row.tenant_id}\u0000${row.id}`) ?? null }));
}

/** Cached renders of (tenant, fingerprint) pairs for one analyzer, by primary key. */
export async function cachedRenders(db: Queryable, analyzerKey: string, keys: ReadonlyArray<{ tenantId: string; fingerprint: string }>) {
  if (keys.length === 0) return [];
  const { rows } = await db.query<{ tenant_id: string; fingerprint: string; render: SchemaRender }>(
    `SELECT c.tenant_id, c.fingerprint, c.render
     FROM unnest($2::uuid[], $3::text[]) AS k(tenant_id, fingerprint)
     JOIN render_cache c ON c.tenant_id = k.tenant_id AND c.analyzer_key = $1 AND c.fingerprint = k.fingerprint`,
    [analyzerKey, keys.map((k) => k.tenantId), keys.map((k) => k.fingerprint)],
  );
  return rows;
}

export async function cacheRenders(db: Queryable, analyzerKey: string, entries: ReadonlyArray<{ tenantId: string; render: SchemaRender }>) {
  if (entries.length === 0) return;
  await db.query(
    `INSERT INTO render_cache (tenant_id, analyzer_key, fingerprint, render)
     SELECT e.tenant_id, $1, e.render->>'fingerprint', e.render
     FROM jsonb_to_recordset($2::jsonb) AS e(tenant_id uuid, render jsonb)
     ON CONFLICT (tenant_id, analyzer_key, fingerprint) DO UPDATE SET render = EXCLUDED.render, created_at = now()`,
    [analyzerKey, JSON.stringify(entries.map((e) => ({ tenant_id: e.tenantId, render: e.render })))],
  );
}

export interface ProcessingRow {
  id: string;
  seq: number;
  processing_status: ProcessingStatus;
  schema_render: SchemaRender | null;
  processed_at: Date | null;
  processing_error: string | null;
  processing_attempts: number;
}

export async function getProcessing(db: Queryable, tenantId: string, id: string): Promise<ProcessingRow | null> {
  const { rows } = await db.query<ProcessingRow>(
    `SELECT ${processingColumns('a')} FROM activities a WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id],
  );
  return rows[0] ?? null;
}

/**
 * A new job for a FAILED activity (or one never processed), or for a COMPLETED one when
 * forced: the row goes back to PENDING in one conditional UPDATE, so two retries at once
 * make one job. Null when the row is not in a retryable state (the caller says why).
 */
export async function requeue(db: Queryable, tenantId: string, id: string, force: boolean): Promise<ProcessingRow | null> {
  const { rows } = await db.query<ProcessingRow>(
    `UPDATE activities a
     SET processing_status = 'PENDING', processing_after = NULL, processing_error = NULL, processing_force = $3
     WHERE tenant_id = $1 AND id = $2
       AND (processing_status IN ('FAILED', 'NOT_PROCESSED') OR (processing_status = 'COMPLETED' AND $3))
     RETURNING ${processingColumns('a')}`,
    [tenantId, id, force],
  );
  return rows[0] ?? null;
}

/** Rows waiting and in flight, over every tenant (the partial index holds only these). */
export async function queueDepth(db: Queryable): Promise<{ pending: number; processing: number }> {
  const { rows } = await db.query<{ pending: number; processing: number }>(
    `SELECT count(*) FILTER (WHERE processing_status = 'PENDING') AS pending,
            count(*) FILTER (WHERE processing_status = 'PROCESSING') AS processing
     FROM activities WHERE processing_status IN ('PENDING', 'PROCESSING')`,
  );
  return rows[0] ?? { pending: 0, processing: 0 };
}

/** A stopping worker hands its claimed rows back at once (rather than after their lease). */
export async function release(db: Queryable, rows: ReadonlyArray<{ tenant_id: string; id: string; attempts: number }>) {
  if (rows.length === 0) return;
  await db.query(
    `UPDATE activities a
     SET processing_status = 'PENDING', processing_after = NULL, processing_attempts = a.processing_attempts - 1
     FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id uuid, id text, attempts int)
     WHERE a.tenant_id = r.tenant_id AND a.id = r.id AND a.processing_status = 'PROCESSING' AND a.processing_attempts = r.attempts`,
    [JSON.stringify(rows)],
  );
}

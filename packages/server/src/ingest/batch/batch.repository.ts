import type { Queryable } from '../../db/database.ts';
import { RUN_RECORD } from '../../domain/runs/runs.repository.ts';
import type { RunRow } from '../../domain/runs/runs.types.ts';
import type { ItemResult } from './batch.schemas.ts';

export async function findBatch(tx: Queryable, tenantId: string, hash: string): Promise<ItemResult[] | null> {
  const { rows } = await tx.query<{ results: ItemResult[] }>(
    `SELECT results FROM ingest_batches WHERE tenant_id = $1 AND batch_hash = $2 AND created_at > now() - interval '1 day'`,
    [tenantId, hash],
  );
  return rows[0]?.results ?? null;
}

export async function saveBatch(tx: Queryable, tenantId: string, hash: string, results: ItemResult[]): Promise<void> {
  await tx.query(
    `INSERT INTO ingest_batches (tenant_id, batch_hash, results) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id, batch_hash) DO UPDATE SET results = EXCLUDED.results, created_at = now()`,
    [tenantId, hash, JSON.stringify(results)],
  );
}

export async function pruneBatches(db: Queryable): Promise<void> {
  await db.query(`DELETE FROM ingest_batches WHERE created_at < now() - interval '1 day'`);
}

/** Locks the batch's runs in id order, so concurrent batches never deadlock on each other. */
export async function lockRuns(tx: Queryable, tenantId: string, ids: readonly string[]): Promise<RunRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.query<RunRow>(
    `SELECT * FROM runs WHERE tenant_id = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE`,
    [tenantId, ids],
  );
  return rows;
}

/** Writes the final state of every run the batch changed, in one statement. */
export async function writeRuns(tx: Queryable, tenantId: string, runs: readonly RunRow[]): Promise<void> {
  if (runs.length === 0) return;
  await tx.query(
    `UPDATE runs AS t SET status = r.status, state = r.state, started_at = r.started_at, completed_at = r.completed_at,
       last_seen_at = r.last_seen_at, duration_ms = r.duration_ms, output_data = r.output_data, error = r.error,
       error_type = r.error_type, input_tokens = r.input_tokens, output_tokens = r.output_tokens,
       cache_read_tokens = r.cache_read_tokens, cache_write_tokens = r.cache_write_tokens,
       reasoning_tokens = r.reasoning_tokens, estimated_cost_usd = r.estimated_cost_usd, cost_source = r.cost_source,
       model = r.model, provider_type = r.provider_type, reported_step_count = r.reported_step_count,
       end_request_hash = r.end_request_hash, policy_violation = r.policy_violation, incident_count = r.incident_count,
       latency_bucket = CASE WHEN t.state = 'LIVE' THEN NULL ELSE t.latency_bucket END, updated_at = now()
     FROM jsonb_to_recordset($2::jsonb) AS r(${RUN_RECORD})
     WHERE t.tenant_id = $1 AND t.id = r.id`,
    [tenantId, JSON.stringify(runs)],
  );
}

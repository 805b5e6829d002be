import type { Queryable } from '../../db/database.ts';
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

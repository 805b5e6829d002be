import type { Queryable } from '../../db/database.ts';
import type { PriceRow } from './pricing.types.ts';

const COLUMNS = `id, tenant_id, provider, model_pattern, input_per_mtok, output_per_mtok,
  cache_read_per_mtok, cache_write_per_mtok, reasoning_per_mtok, effective_from`;

/** The shipped prices and the tenant's own; the table is small, so it is read whole. */
export async function listPrices(db: Queryable, tenantId: string): Promise<PriceRow[]> {
  const { rows } = await db.query<PriceRow>(
    `SELECT ${COLUMNS} FROM model_prices
     WHERE tenant_id = $1 OR tenant_id IS NULL
     ORDER BY provider, model_pattern, effective_from DESC, tenant_id NULLS LAST`,
    [tenantId],
  );
  return rows;
}

export async function insertPrice(db: Queryable, tenantId: string, price: Omit<PriceRow, 'id' | 'tenant_id'>): Promise<PriceRow> {
  const { rows } = await db.query<PriceRow>(
    `INSERT INTO model_prices (tenant_id, provider, model_pattern, input_per_mtok, output_per_mtok,
       cache_read_per_mtok, cache_write_per_mtok, reasoning_per_mtok, effective_from)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     RETURNING ${COLUMNS}`,
    [tenantId, price.provider, price.model_pattern, price.input_per_mtok, price.output_per_mtok,
      price.cache_read_per_mtok, price.cache_write_per_mtok, price.reasoning_per_mtok, price.effective_from],
  );
  return rows[0]!;
}

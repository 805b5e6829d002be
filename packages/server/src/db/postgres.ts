import pg from 'pg';
import type { Database, Queryable, QueryResult } from './database.ts';

const { types } = pg;
const OID_INT8 = 20;
const OID_NUMERIC = 1700;

/** int8 and numeric as JS numbers, like the PGlite adapter (counts, seq and costs fit in a double). */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === OID_INT8 || oid === OID_NUMERIC) return (value: string) => Number(value);
    return types.getTypeParser(oid, format);
  },
};

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await client.query(text, params as unknown[] | undefined);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(text: string) {
      await client.query(text);
    },
  };
}

export interface PostgresOptions {
  url: string;
  schema: string;
  max?: number;
}

/** Server mode: a node-postgres pool; `schema` becomes the search_path of every connection. */
export function openPostgres({ url, schema, max = 20 }: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: typeParsers,
    options: `-c search_path=${schema}`,
    application_name: 'runlog',
  });
  // An idle client that loses its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const base = wrap(pool);

  return {
    kind: 'postgres',
    ...base,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

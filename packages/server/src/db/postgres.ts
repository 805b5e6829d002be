import pg from 'pg';
import { isUnavailableError, type Database, type Queryable, type QueryResult } from './database.ts';

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

/** A server that answers nothing (frozen, or a network that drops packets) gives no error by itself. */
const CLIENT_ERRORS = /timeout|Connection terminated/i;

/** node-postgres reports its own deadlines and lost connections without a code: they mean "unavailable". */
function classify(err: unknown): unknown {
  if (err instanceof Error && !(err as { code?: unknown }).code && CLIENT_ERRORS.test(err.message)) {
    Object.assign(err, { code: 'ETIMEDOUT' });
  }
  return err;
}

/** Beyond the server's statement_timeout, so a live server's own cancel (57014) comes first. */
const CLIENT_GRACE_MS = 1_000;

function wrap(client: pg.Pool | pg.PoolClient, deadlineMs: number): Queryable {
  const query_timeout = deadlineMs > 0 ? deadlineMs + CLIENT_GRACE_MS : undefined;
  return {
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      try {
        const result = await client.query({ text, values: params as unknown[] | undefined, query_timeout } as pg.QueryConfig);
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
      } catch (err) {
        throw classify(err);
      }
    },
    // Scripts (migrations, the job queue's maintenance) have no client deadline; the server's still applies.
    async exec(text: string) {
      try {
        await client.query(text);
      } catch (err) {
        throw classify(err);
      }
    },
  };
}

export interface PostgresOptions {
  url: string;
  schema: string;
  max?: number;
  /** Deadline of one statement (server statement_timeout, and on the client a little later); 0: none. */
  statementTimeoutMs?: number;
  /** The deadline of `longRunning()` statements (the minute job). */
  longStatementTimeoutMs?: number;
  /** Deadline for a connection: opening one, or waiting for a free one in the pool. */
  connectTimeoutMs?: number;
}

/** Server mode: a node-postgres pool; `schema` becomes the search_path of every connection. */
export function openPostgres({ url, schema, max = 20, statementTimeoutMs = 0, longStatementTimeoutMs = 0, connectTimeoutMs = 0 }: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: typeParsers,
    options: `-c search_path=${schema}`,
    application_name: 'runlog',
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
    ...(connectTimeoutMs > 0 ? { connectionTimeoutMillis: connectTimeoutMs } : {}),
  });
  // An idle client that loses its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const base = wrap(pool, statementTimeoutMs);
  const connect = () => pool.connect().catch((err) => {
    throw classify(err);
  });

  return {
    kind: 'postgres',
    ...base,
    async transaction(fn) {
      const client = await connect();
      const tx = wrap(client, statementTimeoutMs);
      let failure: unknown;
      try {
        await tx.query('BEGIN');
        const result = await fn(tx);
        await tx.query('COMMIT');
        return result;
      } catch (err) {
        failure = err;
        await tx.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        // A connection whose statement outlived its deadline is in an unknown state: dropped, not reused.
        client.release(isUnavailableError(failure) ? (failure as Error) : undefined);
      }
    },
    longRunning(): Queryable {
      if (longStatementTimeoutMs <= 0) return base;
      return {
        async query<R>(text: string, params?: readonly unknown[]) {
          const client = await connect();
          const q = wrap(client, longStatementTimeoutMs);
          let failure: unknown;
          try {
            await q.query(`SELECT set_config('statement_timeout', $1, false)`, [String(longStatementTimeoutMs)]);
            const result = await q.query<R>(text, params);
            await q.query('RESET statement_timeout');
            return result;
          } catch (err) {
            failure = err;
            throw err;
          } finally {
            // On any error the session may still carry the long timeout: drop it rather than reuse it.
            client.release(failure ? (failure as Error) : undefined);
          }
        },
        exec: (text: string) => base.exec(text),
      };
    },
    async close() {
      await pool.end();
    },
  };
}

import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';
import type { Database } from '../../packages/server/src/db/database.ts';
import { RUN_COLUMNS, STEP_COLUMNS, type RowSink, type SqlType, type Value } from './signals-gen.ts';

/**
 * Where generated rows go. Both sinks hold at most a chunk of rows: the generator fills
 * one, `flush` hands it to the database (waiting when it is behind), and the next follows.
 */

export interface LoadSink extends RowSink {
  flush(): Promise<void>;
  /** Everything written and committed. */
  finish(): Promise<void>;
  /** Gives up (a failed load): nothing half-written stays. */
  abort(): Promise<void>;
}

type Columns = ReadonlyArray<{ name: string; type: SqlType }>;

/** COPY text format. Generated values never hold tabs, newlines or backslashes, so nothing needs escaping. */
function copyLine(row: Value[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (i > 0) line += '\t';
    line += v === null ? '\\N' : v === true ? 't' : v === false ? 'f' : v;
  }
  return `${line}\n`;
}

/** One table: its own connection and transaction, TRUNCATE then COPY … FREEZE (rows written frozen, no later rewrite). */
class CopyTable {
  private client: pg.Client;
  private stream: CopyStreamQuery | null = null;
  private failure: Promise<never> | null = null;
  buffer = '';

  constructor(url: string, schema: string, private readonly table: string, private readonly columns: Columns) {
    this.client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}`, application_name: 'runlog-bench' });
  }

  async open(): Promise<void> {
    await this.client.connect();
    await this.client.query('BEGIN');
    await this.client.query(`TRUNCATE ${this.table}`);
    const stream = this.client.query(copyFrom(`COPY ${this.table} (${this.columns.map((c) => c.name).join(', ')}) FROM STDIN WITH (FREEZE)`));
    this.failure = new Promise<never>((_, reject) => stream.once('error', reject));
    this.failure.catch(() => {});
    this.stream = stream;
  }

  async flush(): Promise<void> {
    if (this.buffer === '') return;
    const ok = this.stream!.write(this.buffer);
    this.buffer = '';
    if (!ok) await Promise.race([once(this.stream!, 'drain'), this.failure!]);
  }

  async finish(): Promise<void> {
    await this.flush();
    this.stream!.end();
    await Promise.race([finished(this.stream!), this.failure!]);
    await this.client.query('COMMIT');
    await this.client.end();
  }

  async abort(): Promise<void> {
    this.stream?.destroy();
    await this.client.end().catch(() => {});
  }
}

/** PostgreSQL: runs and steps stream side by side on two connections. */
export async function copySink(url: string, schema: string): Promise<LoadSink> {
  const runs = new CopyTable(url, schema, 'runs', RUN_COLUMNS);
  const steps = new CopyTable(url, schema, 'trace_steps', STEP_COLUMNS);
  await runs.open();
  await steps.open();
  return {
    run: (row) => {
      runs.buffer += copyLine(row);
    },
    step: (row) => {
      steps.buffer += copyLine(row);
    },
    flush: async () => {
      await Promise.all([runs.flush(), steps.flush()]);
    },
    finish: async () => {
      await Promise.all([runs.finish(), steps.finish()]);
    },
    abort: async () => {
      await Promise.all([runs.abort(), steps.abort()]);
    },
  };
}

/** INSERT … SELECT FROM unnest(one array per column): one statement per batch. */
function unnestSql(table: string, columns: Columns): string {
  const names = columns.map((c) => c.name).join(', ');
  const arrays = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  return `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays})`;
}

class UnnestTable {
  rows: Value[][] = [];
  private readonly sql: string;

  constructor(private readonly columns: Columns, table: string) {
    this.sql = unnestSql(table, columns);
  }

  /** The first `n` buffered rows as column arrays. */
  private take(n: number): unknown[][] {
    const rows = this.rows.splice(0, n);
    return this.columns.map((_, c) => rows.map((r) => r[c]));
  }

  insert(db: Database, n: number): Promise<unknown> {
    return db.query(this.sql, this.take(n));
  }
}

/**
 * PGlite: its worker exposes no COPY, so batches of `batchRows` go as unnest INSERTs; one
 * batch is in flight while the next is generated (PGlite works in its own thread).
 */
export function unnestSink(db: Database, batchRows = 5_000): LoadSink {
  const runs = new UnnestTable(RUN_COLUMNS, 'runs');
  const steps = new UnnestTable(STEP_COLUMNS, 'trace_steps');
  let inFlight: Promise<unknown> = Promise.resolve();
  const send = async (table: UnnestTable) => {
    await inFlight;
    inFlight = table.insert(db, batchRows);
  };
  return {
    run: (row) => {
      runs.rows.push(row);
    },
    step: (row) => {
      steps.rows.push(row);
    },
    flush: async () => {
      while (runs.rows.length >= batchRows) await send(runs);
      while (steps.rows.length >= batchRows) await send(steps);
    },
    finish: async () => {
      while (runs.rows.length > 0) await send(runs);
      while (steps.rows.length > 0) await send(steps);
      await inFlight;
    },
    abort: async () => {
      await inFlight.catch(() => {});
    },
  };
}

/**
 * The one database interface. Two adapters implement it: PGlite in a worker thread
 * (embedded mode) and a node-postgres pool (server mode). Both return the same JS types:
 * int8 and numeric as number, timestamptz as Date, jsonb parsed.
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  /** One statement with `$n` parameters. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Statements allowed a longer deadline than a request's (the minute job); absent: no deadlines here. */
  longRunning?(): Queryable;
}

/** Where the minute job's statements go: with the longer deadline where the adapter has deadlines. */
export function longRunning(db: Database): Queryable {
  return db.longRunning?.() ?? db;
}

/** A database error as both adapters report it (the PostgreSQL error fields we use). */
export interface DatabaseErrorFields {
  code?: string;
  detail?: string;
  constraint?: string;
  column?: string;
}

export function isDatabaseError(err: unknown, code?: string): err is Error & DatabaseErrorFields {
  if (!(err instanceof Error) || typeof (err as DatabaseErrorFields).code !== 'string') return false;
  return code === undefined || (err as DatabaseErrorFields).code === code;
}

/**
 * Class 08 (connection) and 57P (shutdown) errors mean the database is out of reach; 57014 is a
 * statement cancelled at its deadline, ETIMEDOUT a database that did not answer in time.
 */
export function isUnavailableError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as DatabaseErrorFields).code ?? '';
  return code.startsWith('08') || code.startsWith('57P') || code === '57014' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT';
}

/**
 * A database still opening, usable at once: a call made before it is open waits for it, and
 * once open every call goes straight to it (no extra wait on the hot path). The app is built
 * (routes registered, plugins ready) while the embedded database starts in its thread.
 */
export function whenOpen(kind: Database['kind'], opening: Promise<Database>): Database {
  let open: Database | null = null;
  opening.then((db) => (open = db), () => {});
  const ready = async () => open ?? (await opening);
  return {
    kind,
    query: (text, params) => (open ? open.query(text, params) : ready().then((db) => db.query(text, params))),
    exec: (text) => (open ? open.exec(text) : ready().then((db) => db.exec(text))),
    transaction: (fn) => (open ? open.transaction(fn) : ready().then((db) => db.transaction(fn))),
    close: async () => (await ready()).close(),
    longRunning: () => (open ? longRunning(open) : {
      query: async (text, params) => longRunning(await ready()).query(text, params),
      exec: async (text) => longRunning(await ready()).exec(text),
    }),
  };
}

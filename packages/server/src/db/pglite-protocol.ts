/** Messages between the main thread and the PGlite worker. */
export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[]; tx?: number }
  | { id: number; op: 'exec'; sql: string; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'commit' | 'rollback'; tx: number }
  | { id: number; op: 'dump'; path: string }
  | { id: number; op: 'close' };

export type WorkerResponse =
  | { id: number; ok: true; rows?: unknown[]; rowCount?: number; tx?: number }
  | { id: number; ok: false; error: SerializedError };

export interface SerializedError {
  message: string;
  code?: string;
  detail?: string;
  constraint?: string;
  column?: string;
}

export interface WorkerOptions {
  /** A directory for a durable database, or null for an in-memory one. */
  dataDir: string | null;
  /** A file written by `dump` to start from (an in-memory copy of a prepared database). */
  loadFrom?: string | null;
}

import type { Queryable } from '../../db/database.ts';
import { whereBuilder } from '../../db/where.ts';
import type { ListRunsQuery, StepInput } from './runs.schemas.ts';
import type { RunRow, StepRow } from './runs.types.ts';

/** Column types of a run row as jsonb_to_recordset needs them (inserts and updates). */
export const RUN_RECORD = `id text, external_id text, project_id text, work_unit_id text, work_unit_type text,
  work_unit_name text, agent_id text, user_id text, user_name text, source text, provider_type text, model text,
  is_synthetic boolean, status text, state text, input_data jsonb, output_data jsonb, metadata jsonb, error text,
  error_type text, session_id text, trace_id text, started_at timestamptz, completed_at timestamptz,
  last_seen_at timestamptz, duration_ms bigint, input_tokens bigint, output_tokens bigint, cache_read_tokens bigint,
  cache_write_tokens bigint, reasoning_tokens bigint, estimated_cost_usd numeric, cost_source text,
  reported_step_count int, end_request_hash text, policy_violation boolean, incident_count int`;

/** New runs in one statement (one for REST, many for /ingest); ids that exist are skipped (idempotent create). */
export async function insertRuns(tx: Queryable, tenantId: string, runs: readonly Record<string, unknown>[]): Promise<RunRow[]> {
  if (runs.length === 0) return [];
  const { rows } = await tx.query<RunRow>(
    `INSERT INTO runs (tenant_id, id, external_id, project_id, work_unit_id, work_unit_type, work_unit_name, agent_id,
       user_id, user_name, source, provider_type, model, is_synthetic, status, state, input_data, metadata,
       session_id, trace_id, started_at, last_seen_at)
     SELECT $1, r.id, r.external_id, r.project_id, r.work_unit_id, r.work_unit_type, r.work_unit_name, r.agent_id,
       r.user_id, r.user_name, r.source, r.provider_type, r.model, coalesce(r.is_synthetic, false), r.status, r.state,
       r.input_data, r.metadata, r.session_id, r.trace_id, r.started_at, now()
     FROM jsonb_to_recordset($2::jsonb) AS r(${RUN_RECORD})
     ON CONFLICT DO NOTHING
     RETURNING *`,
    [tenantId, JSON.stringify(runs)],
  );
  return rows;
}

/** Runs that a create found already stored, by id or by external_id (idempotent create). */
export async function findRunsByIdOrExternal(db: Queryable, tenantId: string, ids: readonly string[], externalIds: readonly (string | null)[]): Promise<RunRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<RunRow>(
    `SELECT * FROM runs WHERE tenant_id = $1 AND (id = ANY($2::text[]) OR external_id = ANY($3::text[]))`,
    [tenantId, ids, externalIds.filter((e) => e !== null)],
  );
  return rows;
}

export async function getRun(db: Queryable, tenantId: string, id: string): Promise<RunRow | null> {
  const { rows } = await db.query<RunRow>(`SELECT * FROM runs WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  return rows[0] ?? null;
}

/** Locks runs in id order, so concurrent writers never deadlock on each other. */
export async function lockRuns(tx: Queryable, tenantId: string, ids: readonly string[]): Promise<RunRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.query<RunRow>(
    // One primary-key lookup per id, in id order (so concurrent writers lock in one order):
    // the plan stays that whatever the statistics say (OFFSET 0 keeps the lookups apart).
    `SELECT r.* FROM (SELECT DISTINCT id FROM unnest($2::text[]) AS u(id)) k,
       LATERAL (SELECT * FROM runs WHERE tenant_id = $1 AND id = k.id OFFSET 0) r
     ORDER BY k.id FOR UPDATE OF r`,
    [tenantId, ids],
  );
  return rows;
}

/** Columns a transition may change. */
export type RunPatch = Partial<Pick<RunRow,
  'status' | 'state' | 'started_at' | 'completed_at' | 'duration_ms' | 'output_data' | 'error' | 'error_type' |
  'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_write_tokens' | 'reasoning_tokens' |
  'estimated_cost_usd' | 'cost_source' | 'model' | 'provider_type' | 'reported_step_count' | 'end_request_hash' |
  'policy_violation' | 'incident_count'>>;

/**
 * GET /runs: newest first by (created_at, id), which runs_created_idx serves; a keyset
 * cursor on that immutable pair keeps pages free of duplicates and gaps while runs arrive.
 * Filters are fixed columns; values are always parameters.
 */
export async function listRuns(
  db: Queryable,
  tenantId: string,
  q: ListRunsQuery,
  after: { createdAt: Date; id: string } | null,
): Promise<RunRow[]> {
  const where = whereBuilder('tenant_id = $1', tenantId);
  const add = where.add;
  if (q.status?.length) add((p) => `status = ANY(${p}::text[])`, q.status);
  if (q.risk_level?.length) add((p) => `risk_level = ANY(${p}::text[])`, q.risk_level);
  if (q.state) add((p) => `state = ${p}`, q.state);
  if (q.latency_bucket) add((p) => `latency_bucket = ${p}`, q.latency_bucket);
  for (const column of ['project_id', 'work_unit_id', 'agent_id', 'source', 'provider_type', 'user_id', 'trace_id'] as const) {
    if (q[column] !== undefined) add((p) => `${column} = ${p}`, q[column]);
  }
  if (q.started_after) add((p) => `started_at >= ${p}::timestamptz`, q.started_after);
  if (q.started_before) add((p) => `started_at < ${p}::timestamptz`, q.started_before);
  if (after) add((p) => `(created_at, id) < (${p}::timestamptz, ${where.param(after.id)})`, after.createdAt);
  const { rows } = await db.query<RunRow>(
    `SELECT * FROM runs WHERE ${where.sql()} ORDER BY created_at DESC, id DESC LIMIT ${where.param(q.limit + 1)}`,
    where.params,
  );
  return rows;
}

export async function recentRuns(db: Queryable, tenantId: string, userId: string | null, limit: number): Promise<RunRow[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT * FROM runs WHERE tenant_id = $1 AND ($2::text IS NULL OR user_id = $2)
     ORDER BY created_at DESC, id DESC LIMIT $3`,
    [tenantId, userId, limit],
  );
  return rows;
}

/**
 * Steps of one or several runs in one statement (REST appends and /ingest batches); a
 * step_index already stored is skipped, which makes a resend harmless. Returns the
 * (run, index) pairs stored now.
 */
export async function insertSteps(tx: Queryable, tenantId: string, steps: readonly (StepInput & { run_id: string; trace_id: string | null })[]) {
  if (steps.length === 0) return [];
  // The runs that got steps are marked for the pattern pass (runlog_refresh_pattern_features).
  const { rows } = await tx.query<{ run_id: string; step_index: number }>(
    `WITH stored AS (INSERT INTO trace_steps (tenant_id, run_id, trace_id, step_index, skill_id, skill_name, kind, status,
       outcome_category, outcome_code, model, input_tokens, output_tokens, cost_cents, duration_ms, retry_count, started_at)
     SELECT $1, s.run_id, s.trace_id, s.step_index, s.skill_id, s.skill_name, coalesce(s.kind, 'other'), s.status,
       s.outcome_category, s.outcome_code, s.model, s.input_tokens, s.output_tokens, s.cost_cents, s.duration_ms,
       coalesce(s.retry_count, 0), coalesce(s.started_at, now())
     FROM jsonb_to_recordset($2::jsonb) AS s(run_id text, trace_id text, step_index int, skill_id text, skill_name text,
       kind text, status text, outcome_category text, outcome_code text, model text, input_tokens bigint,
       output_tokens bigint, cost_cents numeric, duration_ms bigint, retry_count int, started_at timestamptz)
     ON CONFLICT (tenant_id, run_id, step_index) DO NOTHING
     RETURNING run_id, step_index),
     marked AS (UPDATE runs SET patterns_dirty = true
       WHERE tenant_id = $1 AND id IN (SELECT run_id FROM stored) AND NOT patterns_dirty)
     SELECT run_id, step_index FROM stored`,
    [tenantId, JSON.stringify(steps)],
  );
  return rows;
}

export async function listSteps(db: Queryable, tenantId: string, runId: string, afterIndex: number, limit: number): Promise<StepRow[]> {
  const { rows } = await db.query<StepRow>(
    `SELECT run_id, trace_id, step_index, skill_id, skill_name, kind, status, outcome_category, outcome_code,
       model, input_tokens, output_tokens, cost_cents, duration_ms, retry_count, started_at
     FROM trace_steps WHERE tenant_id = $1 AND run_id = $2 AND step_index > $3
     ORDER BY step_index LIMIT $4`,
    [tenantId, runId, afterIndex, limit],
  );
  return rows;
}

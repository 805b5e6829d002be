import { performance } from 'node:perf_hooks';
import type { Queryable } from '../packages/server/src/db/database.ts';
import { COMPLETE_BODY, MODEL, PROVIDER, createRunBody, step } from './lib/fixtures.ts';

/**
 * The baseline the API is compared with: the same rows written straight into the tables
 * with one multi-row statement (INSERT … SELECT FROM unnest(arrays)). It is what a bulk
 * loader with no validation, auth, transactions or HTTP would achieve on the same database.
 * Every value the API path stores per row is sent per row here too (not as one constant),
 * so the database does the same parsing and storing work.
 */

type SqlType = 'text' | 'int' | 'bigint' | 'boolean' | 'timestamptz' | 'numeric';

interface Column {
  name: string;
  type: SqlType;
  values: unknown[];
}

/** INSERT INTO table (tenant_id, …) SELECT $1, … FROM unnest($2::type[], …): one statement. */
async function unnestInsert(db: Queryable, table: string, tenantId: string, columns: Column[]): Promise<number> {
  const names = columns.map((c) => c.name);
  const arrays = columns.map((c, i) => `$${i + 2}::${c.type}[]`);
  const { rowCount } = await db.query(
    `INSERT INTO ${table} (tenant_id, ${names.join(', ')})
     SELECT $1, ${names.map((n) => `r.${n}`).join(', ')}
     FROM unnest(${arrays.join(', ')}) AS r(${names.join(', ')})`,
    [tenantId, ...columns.map((c) => c.values)],
  );
  return rowCount;
}

/** What the API stores for a completed run, worked out once by the app itself (see ingest.ts). */
export interface CompletedRunValues {
  costUsd: number | null;
  costSource: string;
  endRequestHash: string;
}

/**
 * The columns POST /runs (status running) and POST /runs/{id}/complete fill, in their final
 * state. The rest (user_id, project_id, …) stay NULL on both paths; last_seen_at, created_at and
 * updated_at take their defaults. Timestamps go as ISO text, which both adapters pass as is.
 */
function runColumns(ids: string[], done: CompletedRunValues): Column[] {
  const now = Date.now();
  const body = createRunBody('x');
  const per = <T>(value: (i: number) => T) => ids.map((_, i) => value(i));
  const durations = per((i) => 5 + (i % 50));
  return [
    { name: 'id', type: 'text', values: ids },
    { name: 'work_unit_name', type: 'text', values: per(() => body.work_unit_name) },
    { name: 'agent_id', type: 'text', values: per(() => body.agent_id) },
    { name: 'source', type: 'text', values: per(() => body.source) },
    { name: 'provider_type', type: 'text', values: per(() => PROVIDER) },
    { name: 'model', type: 'text', values: per(() => MODEL) },
    { name: 'is_synthetic', type: 'boolean', values: per(() => false) },
    { name: 'status', type: 'text', values: per(() => 'completed') },
    { name: 'state', type: 'text', values: per(() => 'COMPLETED') },
    { name: 'started_at', type: 'timestamptz', values: per((i) => new Date(now - durations[i]!).toISOString()) },
    { name: 'completed_at', type: 'timestamptz', values: per(() => new Date(now).toISOString()) },
    { name: 'duration_ms', type: 'bigint', values: durations },
    { name: 'input_tokens', type: 'bigint', values: per(() => COMPLETE_BODY.input_tokens) },
    { name: 'output_tokens', type: 'bigint', values: per(() => COMPLETE_BODY.output_tokens) },
    { name: 'cache_read_tokens', type: 'bigint', values: per(() => COMPLETE_BODY.cache_read_tokens) },
    { name: 'estimated_cost_usd', type: 'numeric', values: per(() => done.costUsd) },
    { name: 'cost_source', type: 'text', values: per(() => done.costSource) },
    { name: 'end_request_hash', type: 'text', values: per(() => done.endRequestHash) },
  ];
}

/** The columns POST /runs/{id}/steps fills from the same step() values the client sends. */
function stepColumns(runIds: string[], stepsPerRun: number): Column[] {
  const rows = runIds.flatMap((runId) => Array.from({ length: stepsPerRun }, (_, i) => ({ runId, ...step(i) })));
  const col = (name: string, type: SqlType, pick: (r: (typeof rows)[number]) => unknown): Column => ({ name, type, values: rows.map(pick) });
  return [
    col('run_id', 'text', (r) => r.runId),
    col('step_index', 'int', (r) => r.step_index),
    col('skill_name', 'text', (r) => r.skill_name),
    col('kind', 'text', (r) => r.kind),
    col('status', 'text', (r) => r.status),
    col('model', 'text', (r) => r.model),
    col('input_tokens', 'bigint', (r) => r.input_tokens),
    col('output_tokens', 'bigint', (r) => r.output_tokens),
    col('duration_ms', 'bigint', (r) => r.duration_ms),
  ];
}

export interface DirectResult {
  rows: number;
  elapsedMs: number;
}

/** Times only the statement: the arrays are built first, as a loader would already hold its data. */
async function timed(db: Queryable, table: string, tenantId: string, columns: Column[]): Promise<DirectResult> {
  const started = performance.now();
  const rows = await unnestInsert(db, table, tenantId, columns);
  return { rows, elapsedMs: performance.now() - started };
}

const WARMUP_ROWS = 100;

/** `count` completed runs in one statement, after a small untimed one of its own. */
export async function insertRunsDirect(db: Queryable, tenantId: string, idPrefix: string, count: number, done: CompletedRunValues): Promise<DirectResult> {
  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  await unnestInsert(db, 'runs', tenantId, runColumns(ids(`${idPrefix}-warm`, WARMUP_ROWS), done));
  return timed(db, 'runs', tenantId, runColumns(ids(idPrefix, count), done));
}

/** `runs` × `stepsPerRun` steps in one statement, after a small untimed one of its own. */
export async function insertStepsDirect(db: Queryable, tenantId: string, idPrefix: string, runs: number, stepsPerRun: number): Promise<DirectResult> {
  await unnestInsert(db, 'trace_steps', tenantId, stepColumns([`${idPrefix}-warm`], WARMUP_ROWS));
  const runIds = Array.from({ length: runs }, (_, c) => `${idPrefix}-${c}`);
  return timed(db, 'trace_steps', tenantId, stepColumns(runIds, stepsPerRun));
}

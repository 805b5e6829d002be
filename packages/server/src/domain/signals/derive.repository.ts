import type { Queryable } from '../../db/database.ts';
import { RUN_RECORD } from '../runs/runs.repository.ts';
import type { RunRow } from '../runs/runs.types.ts';
import { BASELINE_DAYS, BASELINE_MAX_RUNS, BASELINE_MIN_RUNS, RISK_THRESHOLDS, SLOW_SHARE_OF_MAX_DURATION } from './signals.constants.ts';

/**
 * The derived run fields of SPEC §3, computed in SQL so the REST routes, /ingest and the
 * scheduled job share one definition. Only frozen constants are interpolated.
 */

/**
 * A run's limits: the project's, with the work unit's own keys winning. Two primary-key
 * lookups for run `r` of tenant `tenant` (scalar subqueries keep them keyed whatever the
 * statistics say).
 */
const limitsOf = (tenant: string) => `coalesce((SELECT p.limits FROM projects p WHERE p.tenant_id = ${tenant} AND p.id = r.project_id), '{}'::jsonb)
  || coalesce((SELECT w.limits FROM work_units w WHERE w.tenant_id = ${tenant} AND w.id = r.work_unit_id), '{}'::jsonb)`;

/** The highest ratio of use to limit; greatest() skips the NULLs of absent limits. */
function ratio(cost: string, tokens: string, duration: string): string {
  return `greatest(
    ${cost} / nullif((limits->>'max_cost_usd')::numeric, 0),
    ${tokens} / nullif((limits->>'max_tokens')::numeric, 0),
    ${duration} / nullif((limits->>'max_duration_ms')::numeric, 0))`;
}

function riskLevel(ratioExpr: string, violation: string): string {
  return `CASE WHEN ${violation} OR ${ratioExpr} >= ${RISK_THRESHOLDS.VIOLATED} THEN 'VIOLATED'
    WHEN ${ratioExpr} >= ${RISK_THRESHOLDS.AT_RISK} THEN 'AT_RISK'
    WHEN ${ratioExpr} >= ${RISK_THRESHOLDS.NEAR_THRESHOLD} THEN 'NEAR_THRESHOLD'
    ELSE 'OK' END`;
}

/**
 * p95 duration of the newest finished runs of one work unit (or agent) in the 7 days before
 * `before`, computed once per key in the statement, not once per run: a batch of 500 runs of
 * one agent reads the baseline once. Bounded to BASELINE_MAX_RUNS rows read backwards,
 * index-only, from idx_runs_tenant_unit / idx_runs_tenant_agent.
 */
function baseline(column: 'work_unit_id' | 'agent_id', keys: string): string {
  return `SELECT k.key, (SELECT CASE WHEN count(*) >= ${BASELINE_MIN_RUNS} THEN percentile_cont(0.95) WITHIN GROUP (ORDER BY b.duration_ms) END
       FROM (SELECT duration_ms FROM runs b
             WHERE b.tenant_id = $1 AND b.${column} = k.key AND b.state = 'COMPLETED'
               AND b.completed_at < k.before AND b.completed_at >= k.before - interval '${BASELINE_DAYS} days'
               AND b.duration_ms IS NOT NULL
             ORDER BY b.completed_at DESC LIMIT ${BASELINE_MAX_RUNS}) b) AS p95
     FROM ${keys} k`;
}

/** What derivation reads of a finished run `r` (the row, or the writer's planned row). */
const FINISHED_RUN = `r.id, r.work_unit_id, r.agent_id, r.completed_at, r.duration_ms, r.status, r.policy_violation,
  r.reported_step_count, r.estimated_cost_usd, coalesce(r.input_tokens, 0) + coalesce(r.output_tokens, 0) AS tokens,
  r.output_data IS NOT NULL AS has_output, r.error IS NOT NULL AS has_error, ${limitsOf('$1')} AS limits`;

/**
 * From `t` (the finished runs, FINISHED_RUN's columns), the CTEs up to `m`: each run with its
 * steps' figures, its baseline p95 and its pattern evidence. `ids` is the SQL of their ids.
 * Each part is computed once (MATERIALIZED): a batch of 500 runs must not become 500 × 500 lookups.
 */
function derivedCtes(ids: string): string {
  return `st AS MATERIALIZED (
       SELECT k.id AS run_id, s.* FROM (SELECT DISTINCT id FROM unnest(${ids}) AS u(id)) k, LATERAL (
         SELECT count(*) AS n, min(step_index) AS lo, max(step_index) AS hi,
           sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)) AS tokens
         FROM trace_steps WHERE tenant_id = $1 AND run_id = k.id) s
       WHERE s.n > 0
     ), unit_keys AS (
       SELECT work_unit_id AS key, min(completed_at) AS before FROM t WHERE work_unit_id IS NOT NULL GROUP BY 1
     ), agent_keys AS (
       SELECT agent_id AS key, min(completed_at) AS before FROM t WHERE work_unit_id IS NULL AND agent_id IS NOT NULL GROUP BY 1
     ), unit_p95 AS MATERIALIZED (${baseline('work_unit_id', 'unit_keys')}
     ), agent_p95 AS MATERIALIZED (${baseline('agent_id', 'agent_keys')}
     ), pf AS MATERIALIZED (
       -- The pattern evidence (db/functions/runlog_pattern_features.sql), written by this same UPDATE.
       SELECT * FROM runlog_pattern_features($1, ${ids})
     ), m AS MATERIALIZED (
       SELECT t.*, coalesce(st.n, 0) AS n, st.lo, st.hi, coalesce(st.tokens, 0) AS step_tokens,
         pf.retry_total, pf.max_step_retries, pf.oscillation_skill, pf.oscillation_count, pf.loop_skill, pf.loop_depth, pf.slow_step_ms,
         ${ratio('t.estimated_cost_usd', 't.tokens', 't.duration_ms')} AS ratio,
         coalesce(u.p95, CASE WHEN t.work_unit_id IS NULL THEN a.p95 END) AS p95
       FROM t LEFT JOIN st ON st.run_id = t.id
       LEFT JOIN unit_p95 u ON u.key = t.work_unit_id
       LEFT JOIN agent_p95 a ON a.key = t.agent_id
       LEFT JOIN pf ON pf.run_id = t.id
     )`;
}

/** The derived columns and how `m` gives each. */
const DERIVED: ReadonlyArray<[column: string, value: string]> = [
  ['risk_level', riskLevel('m.ratio', 'm.policy_violation')],
  ['latency_bucket', `CASE WHEN m.duration_ms > m.p95
      OR m.duration_ms > ${SLOW_SHARE_OF_MAX_DURATION} * (m.limits->>'max_duration_ms')::numeric THEN 'SLOW' ELSE 'NORMAL' END`],
  ['evidence_health', `CASE
      WHEN m.n = 0 AND m.tokens = 0 AND m.step_tokens = 0 AND NOT m.has_output AND NOT m.has_error THEN 'MISSING'
      WHEN (m.tokens > 0 OR m.step_tokens > 0) AND (m.has_output OR m.status <> 'completed') THEN 'HEALTHY'
      ELSE 'DEGRADED' END`],
  ['integrity_status', `CASE
      WHEN m.n = 0 THEN CASE WHEN m.reported_step_count > 0 THEN 'INCOMPLETE' ELSE 'UNKNOWN' END
      WHEN m.lo = 0 AND m.hi = m.n - 1 AND coalesce(m.reported_step_count, m.n) = m.n THEN 'VERIFIED'
      ELSE 'INCOMPLETE' END`],
  ...(['retry_total', 'max_step_retries', 'oscillation_skill', 'oscillation_count', 'loop_skill', 'loop_depth', 'slow_step_ms'] as const)
    .map((c): [string, string] => [c, `m.${c}`]),
  ['patterns_dirty', 'false'],
];

/**
 * Computes risk_level, latency_bucket, evidence_health, integrity_status and the pattern
 * evidence of finished runs, in the transaction that finished them, as one UPDATE. Returns
 * the rows. Runs finished by one statement share their key's baseline: the runs that
 * finished before the earliest of them.
 */
export async function deriveFinishedRuns(tx: Queryable, tenantId: string, runIds: readonly string[]): Promise<RunRow[]> {
  if (runIds.length === 0) return [];
  const { rows } = await tx.query<RunRow>(
    `WITH t AS (
       SELECT ${FINISHED_RUN}
       -- By primary key, whatever the statistics say (a stale estimate otherwise reads every
       -- completed run of the tenant).
       FROM (SELECT * FROM runs WHERE tenant_id = $1 AND id = ANY($2::text[]) OFFSET 0) r
       WHERE r.state = 'COMPLETED'
     ), ${derivedCtes('$2::text[]')}
     UPDATE runs r SET ${DERIVED.map(([column, value]) => `${column} = ${value}`).join(',\n       ')}
     FROM m WHERE r.tenant_id = $1 AND r.id = m.id
     RETURNING r.*`,
    [tenantId, runIds],
  );
  return rows;
}

/** The columns a write sets from the writer's planned row `r`. */
const WRITTEN = ['status', 'state', 'started_at', 'completed_at', 'last_seen_at', 'duration_ms', 'output_data', 'error',
  'error_type', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens',
  'estimated_cost_usd', 'cost_source', 'model', 'provider_type', 'reported_step_count', 'end_request_hash',
  'policy_violation', 'incident_count'] as const;

/** What the UPDATE reads of a planned row: the columns it writes and the keys derivation looks up. */
const PLANNED: readonly string[] = ['id', 'project_id', 'work_unit_id', 'agent_id', ...WRITTEN];
const PLANNED_RECORD = RUN_RECORD.split(',').map((c) => c.trim()).filter((c) => PLANNED.includes(c.split(/\s+/)[0]!)).join(', ');

/**
 * What the database decides in the UPDATE and sends back: the derived fields, the time, and
 * the values it stores in a form of its own (numeric rounding, jsonb). The rest of each row
 * is the plan as sent, so rows are not read back whole.
 */
const DECIDED = [...new Set(['id', 'updated_at', 'estimated_cost_usd', 'output_data', 'latency_bucket', ...DERIVED.map(([column]) => column)])];

/**
 * The one UPDATE of runs (SPEC §3, §5): writes the state the writer planned for every run it
 * changed and, for those that are finished, their derived fields, in one statement, so a
 * finishing run is written once rather than twice. The derivation reads the planned rows
 * (what the UPDATE writes), steps and baselines as deriveFinishedRuns does. Any sign of life
 * clears STALLED from a live run (the minute job sets it). Returns the rows as written.
 */
export async function writeRuns(tx: Queryable, tenantId: string, runs: readonly RunRow[]): Promise<RunRow[]> {
  if (runs.length === 0) return [];
  const finished = runs.filter((r) => r.state === 'COMPLETED').map((r) => r.id);
  const stalledCleared = `CASE WHEN u.state = 'LIVE' THEN NULL ELSE u.latency_bucket END`;
  const set = [...WRITTEN.map((column) => `${column} = r.${column}`), 'updated_at = now()'];
  if (finished.length === 0) set.push(`latency_bucket = ${stalledCleared}`);
  else {
    for (const [column, value] of DERIVED) {
      set.push(`${column} = CASE WHEN m.id IS NOT NULL THEN ${value} ELSE ${column === 'latency_bucket' ? stalledCleared : `u.${column}`} END`);
    }
  }
  const derivation = finished.length === 0 ? '' : `, t AS (
       SELECT ${FINISHED_RUN} FROM r WHERE r.id = ANY($4::text[])
     ), ${derivedCtes('$4::text[]')}`;
  const planned = new Map(runs.map((r) => [r.id, r]));
  const { rows } = await tx.query<Pick<RunRow, 'id'> & Partial<RunRow>>(
    `WITH r AS MATERIALIZED (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(${PLANNED_RECORD})
     )${derivation}
     UPDATE runs AS u SET ${set.join(',\n       ')}
     FROM r ${finished.length === 0 ? '' : 'LEFT JOIN m ON m.id = r.id'}
     -- The ids again as an array: the primary key finds exactly these rows, whatever the
     -- statistics say (without it a stale estimate hashes every run of the tenant).
     WHERE u.tenant_id = $1 AND u.id = ANY($3::text[]) AND u.id = r.id
     RETURNING ${DECIDED.map((column) => `u.${column}`).join(', ')}`,
    [tenantId, JSON.stringify(runs.map((run) => Object.fromEntries(PLANNED.map((c) => [c, run[c as keyof RunRow]])))),
      runs.map((r) => r.id), ...(finished.length === 0 ? [] : [finished])],
  );
  return rows.map((decided) => ({ ...planned.get(decided.id)!, ...decided }));
}

/**
 * The scheduled pass over live runs (all tenants): STALLED when nothing was heard since
 * `stalledBefore`, and risk_level from what the run has used so far (its steps' tokens and
 * cost, and its age against max_duration_ms). Only rows whose fields change are written;
 * runs_live_idx finds the live runs. A run that finished meanwhile is skipped by the
 * UPDATE's own recheck of state = 'LIVE'; a run a writer holds
 * is skipped until the next pass, so the job never waits on ingestion.
 */
export async function refreshLiveRuns(db: Queryable, now: Date, stalledBefore: Date): Promise<RunRow[]> {
  const { rows } = await db.query<RunRow>(
    `WITH t AS (
       SELECT r.tenant_id, r.id, r.last_seen_at, r.latency_bucket, r.risk_level, r.policy_violation,
         extract(epoch FROM ($1::timestamptz - coalesce(r.started_at, r.created_at))) * 1000 AS age_ms,
         ${limitsOf('r.tenant_id')} AS limits
       FROM runs r
       WHERE r.state = 'LIVE'
       FOR UPDATE OF r SKIP LOCKED
     ), used AS (
       SELECT t.*, s.cost_usd, s.tokens FROM t
       LEFT JOIN LATERAL (
         SELECT sum(cost_cents) / 100 AS cost_usd, sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)) AS tokens
         FROM trace_steps WHERE tenant_id = t.tenant_id AND run_id = t.id) s ON true
     ), next AS (
       SELECT tenant_id, id,
         CASE WHEN last_seen_at < $2 THEN 'STALLED' END AS latency_bucket,
         ${riskLevel(ratio('cost_usd', 'tokens', 'age_ms'), 'policy_violation')} AS risk_level
       FROM used
     )
     UPDATE runs r SET latency_bucket = next.latency_bucket, risk_level = next.risk_level, updated_at = now()
     FROM next
     WHERE r.tenant_id = next.tenant_id AND r.id = next.id AND r.state = 'LIVE'
       AND (r.latency_bucket IS DISTINCT FROM next.latency_bucket OR r.risk_level IS DISTINCT FROM next.risk_level)
     RETURNING r.*`,
    [now, stalledBefore],
  );
  return rows;
}

/**
 * The live half of the pattern pass: runs whose steps changed since their evidence was last
 * computed, a bounded batch at a time (small, so PGlite's one connection serves requests in
 * between). Returns how many runs it refreshed.
 */
export async function refreshDirtyPatterns(db: Queryable, batch = 500): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    // SKIP LOCKED: rows a writer holds are left for the next pass, so the job never waits on
    // (or deadlocks with) ingestion.
    `WITH dirty AS (SELECT tenant_id, id FROM runs WHERE patterns_dirty LIMIT $1 FOR UPDATE SKIP LOCKED),
       refreshed AS (SELECT runlog_refresh_pattern_features(tenant_id, array_agg(id)), count(*) AS n FROM dirty GROUP BY tenant_id)
     SELECT coalesce(sum(n), 0)::int AS n FROM refreshed`,
    [batch],
  );
  return rows[0]?.n ?? 0;
}

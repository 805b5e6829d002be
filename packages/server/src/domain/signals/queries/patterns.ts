import type { Queryable } from '../../../db/database.ts';
import { PATTERN_RUN_LIMIT, PATTERN_THRESHOLDS } from '../signals.constants.ts';

export interface PatternWindow {
  tenantId: string;
  projectId: string | null;
  start: Date;
  end: Date;
}

/** One detector's answer: the top runs by evidence, and figures over every matching run. */
export interface PatternRows {
  runs: { run_id: string; measure: number; skill_id: string | null }[];
  count: number;
  avg_measure: number;
  extra: number | null;
}

/**
 * The runs of the window (seed 001 §4 filters traces by started_at), read index-only from
 * idx_runs_tenant_started; their steps come from the trace_steps primary key
 * (tenant_id, run_id, step_index), already in step order.
 */
const WINDOW_RUNS = `SELECT id FROM runs
  WHERE tenant_id = $1 AND started_at >= $2 AND started_at <= $3 AND ($4::text IS NULL OR project_id = $4)`;

/** The window's steps, only the columns a detector reads (so the partial indexes answer index-only). */
const steps = (columns: string) => `SELECT ${columns} FROM trace_steps s JOIN (${WINDOW_RUNS}) w ON s.tenant_id = $1 AND s.run_id = w.id`;

/** Ranks per-run evidence: the top runs, plus count and mean over all of them. */
function ranked(perRun: string, extra = 'NULL::float8'): string {
  return `WITH per_run AS (${perRun})
    SELECT run_id, measure::float8 AS measure, skill_id, count(*) OVER ()::int AS count,
      avg(measure) OVER ()::float8 AS avg_measure, ${extra} AS extra
    FROM per_run ORDER BY measure DESC, run_id LIMIT ${PATTERN_RUN_LIMIT}`;
}

async function run(db: Queryable, sql: string, w: PatternWindow, more: unknown[] = []): Promise<PatternRows> {
  const { rows } = await db.query<PatternRows['runs'][number] & { count: number; avg_measure: number; extra: number | null }>(
    sql, [w.tenantId, w.start, w.end, w.projectId, ...more],
  );
  return {
    runs: rows.map(({ run_id, measure, skill_id }) => ({ run_id, measure, skill_id })),
    count: rows[0]?.count ?? 0,
    avg_measure: rows[0]?.avg_measure ?? 0,
    extra: rows[0]?.extra ?? null,
  };
}

/** retry_loop: retries summed over a run's steps reach the threshold; extra = the largest single step's retries. */
export const retryLoops = (db: Queryable, w: PatternWindow) => run(db, ranked(
  `SELECT run_id, sum(retry_count) AS measure, NULL::text AS skill_id, max(retry_count) AS max_retries
   FROM (${steps('s.run_id, s.retry_count')} WHERE s.retry_count > 0) s GROUP BY run_id HAVING sum(retry_count) >= ${PATTERN_THRESHOLDS.retry_loop}`,
  'max(max_retries) OVER ()::float8',
), w);

/**
 * step_oscillation (SPEC §4's departure from the seed): a skill re-entered after a different
 * skill ran, A→B→A. Consecutive repeats are tool_call_loop's. Per run, the skill re-entered
 * most often.
 */
export const oscillations = (db: Queryable, w: PatternWindow) => run(db, ranked(
  `SELECT DISTINCT ON (run_id) run_id, reentries AS measure, skill_id FROM (
     SELECT run_id, skill_id, count(*) AS reentries FROM (
       SELECT run_id, skill_id, lag(skill_id) OVER (PARTITION BY run_id ORDER BY step_index) AS prev,
         row_number() OVER (PARTITION BY run_id, skill_id ORDER BY step_index) AS nth
       FROM (${steps('s.run_id, s.skill_id, s.step_index')}) s) seq
     WHERE skill_id IS NOT NULL AND nth > 1 AND prev IS DISTINCT FROM skill_id
     GROUP BY run_id, skill_id HAVING count(*) >= ${PATTERN_THRESHOLDS.step_oscillation}) r
   ORDER BY run_id, reentries DESC, skill_id`,
), w);

/**
 * tool_call_loop: the most calls of one skill within 5 consecutive step indexes. The seed's
 * ROWS frame counted the skill's own last 5 calls however far apart; a RANGE frame over
 * step_index measures "within 5 steps" as the seed's comment means it.
 */
export const toolCallLoops = (db: Queryable, w: PatternWindow) => run(db, ranked(
  `SELECT DISTINCT ON (run_id) run_id, depth AS measure, skill_id FROM (
     SELECT run_id, skill_id, max(recent) AS depth FROM (
       SELECT run_id, skill_id, count(*) OVER (PARTITION BY run_id, skill_id ORDER BY step_index
         RANGE BETWEEN 4 PRECEDING AND CURRENT ROW) AS recent
       FROM (${steps('s.run_id, s.skill_id, s.step_index')} WHERE s.skill_id IS NOT NULL) s) c
     GROUP BY run_id, skill_id HAVING max(recent) >= ${PATTERN_THRESHOLDS.tool_call_loop}) r
   ORDER BY run_id, depth DESC, skill_id`,
), w);

/** timeout_cascade: several steps slower than slow_threshold_ms; extra = their mean duration. */
export const timeoutCascades = (db: Queryable, w: PatternWindow, slowThresholdMs: number) => run(db, ranked(
  `SELECT run_id, count(*) AS measure, NULL::text AS skill_id, sum(duration_ms) AS slow_ms
   FROM (${steps('s.run_id, s.duration_ms')} WHERE s.duration_ms > $5) s GROUP BY run_id HAVING count(*) >= ${PATTERN_THRESHOLDS.timeout_cascade}`,
  '(sum(slow_ms) OVER () / sum(measure) OVER ())::float8',
), w, [slowThresholdMs]);

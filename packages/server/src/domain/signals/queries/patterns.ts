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
 * SIG-O3 (seed 001 §4) over the evidence each run carries (runs.retry_total… in 0013_schema.sql): the runs of the
 * window (by started_at, as the seed filters traces) that reach a detector's threshold come
 * from that detector's partial index, so a query reads only the runs that show the pattern.
 */
const WINDOW = `tenant_id = $1 AND started_at >= $2 AND started_at <= $3 AND ($4::text IS NULL OR project_id = $4)`;

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
  `SELECT id AS run_id, retry_total AS measure, NULL::text AS skill_id, max_step_retries
   FROM runs WHERE ${WINDOW} AND retry_total >= ${PATTERN_THRESHOLDS.retry_loop}`,
  'max(max_step_retries) OVER ()::float8',
), w);

/**
 * step_oscillation (SPEC §4's departure from the seed): a skill re-entered after a different
 * skill ran, A→B→A; per run, the skill re-entered most often. Consecutive repeats are
 * tool_call_loop's.
 */
export const oscillations = (db: Queryable, w: PatternWindow) => run(db, ranked(
  `SELECT id AS run_id, oscillation_count AS measure, oscillation_skill AS skill_id
   FROM runs WHERE ${WINDOW} AND oscillation_count >= ${PATTERN_THRESHOLDS.step_oscillation}`,
), w);

/**
 * tool_call_loop: the most calls of one skill within 5 consecutive step indexes. The seed's
 * ROWS frame counted a skill's own last 5 calls however far apart; the evidence uses a RANGE
 * frame over step_index, "within 5 steps" as the seed's comment means it.
 */
export const toolCallLoops = (db: Queryable, w: PatternWindow) => run(db, ranked(
  `SELECT id AS run_id, loop_depth AS measure, loop_skill AS skill_id
   FROM runs WHERE ${WINDOW} AND loop_depth >= ${PATTERN_THRESHOLDS.tool_call_loop}`,
), w);

/**
 * timeout_cascade: several steps slower than slow_threshold_ms (at least 1 s, so the run's
 * slow_step_ms holds every such step); extra = their mean duration.
 */
export const timeoutCascades = (db: Queryable, w: PatternWindow, slowThresholdMs: number) => run(db, ranked(
  `SELECT run_id, measure, NULL::text AS skill_id, slow_ms FROM (
     SELECT id AS run_id, s.measure, s.slow_ms FROM runs,
       LATERAL (SELECT count(*) AS measure, sum(d) AS slow_ms FROM unnest(slow_step_ms) AS d WHERE d > $5) s
     WHERE ${WINDOW} AND cardinality(slow_step_ms) >= ${PATTERN_THRESHOLDS.timeout_cascade}) r
   WHERE measure >= ${PATTERN_THRESHOLDS.timeout_cascade}`,
  '(sum(slow_ms) OVER () / sum(measure) OVER ())::float8',
), w, [slowThresholdMs]);

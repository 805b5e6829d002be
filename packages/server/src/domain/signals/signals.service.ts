import type { Database } from '../../db/database.ts';
import { AppError, ForbiddenError, ValidationError } from '../../errors.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import { attentionQueue } from './queries/attention-queue.ts';
import { runsByDimension } from './queries/by-dimension.ts';
import { costCurrent } from './queries/cost-analysis.ts';
import { createCostBaselines, scoreAgainstBaseline } from './cost-baselines.ts';
import { oscillations, retryLoops, timeoutCascades, toolCallLoops, type PatternRows, type PatternWindow } from './queries/patterns.ts';
import { statusSummary } from './queries/status-summary.ts';
import type { AttentionQuery, ByDimensionQuery, PatternsQuery, StatusSummaryQuery } from './signals.schemas.ts';
import { ATTENTION_WEIGHTS, ATTENTION_WEIGHTS_VERSION, DIMENSIONS, PATTERN_THRESHOLDS, type Dimension, type PatternType } from './signals.constants.ts';

/** Seed 001 §2's 400 body: error, allowed and received at the top level. */
class InvalidDimensionError extends AppError {
  constructor(received: string) {
    super(400, 'invalid_dimension', `dim must be one of ${DIMENSIONS.join(', ')}`, { field: 'dim' });
    this.extra = { allowed: [...DIMENSIONS], received };
  }
}

const WINDOW_UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_WINDOW_MS = 30 * 86_400_000;

function windowMs(window: string): number {
  const ms = Number(window.slice(0, -1)) * WINDOW_UNIT_MS[window.slice(-1) as keyof typeof WINDOW_UNIT_MS];
  if (ms > MAX_WINDOW_MS) throw new ValidationError('window', 'must be at most 30d');
  return ms;
}

/**
 * How sure a detection is: 0.5 at the threshold, rising towards 1 as the evidence (the mean
 * over the matching runs) exceeds it: 1 - threshold / (2 × evidence). Monotonic, in [0.5, 1).
 */
export function confidence(threshold: number, evidence: number): number {
  if (evidence <= 0) return 0;
  return Math.round(Math.min(1, Math.max(0, 1 - threshold / (2 * evidence))) * 100) / 100;
}

const round = (n: number, digits = 6) => Math.round(n * 10 ** digits) / 10 ** digits;

function pattern(type: PatternType, rows: PatternRows, details: Record<string, unknown>) {
  return {
    pattern_type: type,
    run_ids: rows.runs.map((r) => r.run_id),
    count: rows.count,
    confidence: confidence(PATTERN_THRESHOLDS[type], rows.avg_measure),
    details,
  };
}

export function createSignalsService({ db }: { db: Database }) {
  const baselineOf = createCostBaselines(db);

  /** A key bound to a project sees only that project; asking for another is refused. */
  function projectOf(auth: AuthContext, requested: string | undefined): string | null {
    if (auth.projectId && requested && requested !== auth.projectId) {
      throw new ForbiddenError('this API key is bound to another project', { project_id: auth.projectId });
    }
    return auth.projectId ?? requested ?? null;
  }

  return {
    async summaryByStatus(auth: AuthContext, q: StatusSummaryQuery) {
      const startedAfter = q.started_after ? new Date(q.started_after) : null;
      const startedBefore = q.started_before ? new Date(q.started_before) : null;
      if (startedAfter && startedBefore && startedAfter > startedBefore) throw new ValidationError('started_before', 'must not be before started_after');
      const rows = await statusSummary(db, { tenantId: auth.tenantId, projectId: projectOf(auth, q.project_id), startedAfter, startedBefore });
      return {
        tenant_id: auth.tenantId,
        window: { started_after: startedAfter, started_before: startedBefore },
        summary: Object.fromEntries(rows.map((r) => [r.status, r.count])),
        near_threshold_count: rows.reduce((n, r) => n + r.near_threshold, 0),
        total: rows.reduce((n, r) => n + r.count, 0),
      };
    },

    async runsByDimension(auth: AuthContext, q: ByDimensionQuery) {
      if (!(DIMENSIONS as readonly string[]).includes(q.dim)) throw new InvalidDimensionError(q.dim);
      const { buckets, total } = await runsByDimension(db, auth.tenantId, q.dim as Dimension, q.state, projectOf(auth, q.project_id));
      return { dimension: q.dim, state: q.state, buckets, total_runs: total };
    },

    async patterns(auth: AuthContext, q: PatternsQuery, now = new Date()) {
      const w: PatternWindow = { tenantId: auth.tenantId, projectId: projectOf(auth, q.project_id), start: new Date(now.getTime() - windowMs(q.window)), end: now };
      // Independent reads: on PostgreSQL they run on four pool connections at once.
      const [retries, oscillating, loops, slow] = await Promise.all([
        retryLoops(db, w), oscillations(db, w), toolCallLoops(db, w), timeoutCascades(db, w, q.slow_threshold_ms),
      ]);
      const top = (rows: PatternRows) => rows.runs[0];
      const found = [
        pattern('retry_loop', retries, { avg_retries: round(retries.avg_measure, 2), max_step_retries: retries.extra }),
        pattern('step_oscillation', oscillating, { skill_id: top(oscillating)?.skill_id, oscillation_count: top(oscillating)?.measure }),
        pattern('tool_call_loop', loops, { skill_id: top(loops)?.skill_id, loop_depth: top(loops)?.measure }),
        pattern('timeout_cascade', slow, {
          avg_slow_steps: round(slow.avg_measure, 2), avg_duration_ms: slow.extra === null ? null : round(slow.extra, 1), slow_threshold_ms: q.slow_threshold_ms,
        }),
      ];
      return { window: { start: w.start, end: w.end }, patterns: found.filter((p) => p.count > 0) };
    },

    async costAnalysis(auth: AuthContext, projectId: string | undefined, now = new Date()) {
      const project = projectOf(auth, projectId);
      const [baselines, current] = await Promise.all([baselineOf(auth.tenantId, now, project), costCurrent(db, auth.tenantId, now, project)]);
      const byAgent = new Map(baselines.map((b) => [b.agent_id, b]));
      const agents = current.map((c) => {
        const b = byAgent.get(c.agent_id);
        const { z_score, is_anomaly } = scoreAgainstBaseline(c.current_avg_cost, b);
        return {
          agent_id: c.agent_id,
          current_cost_usd: round(c.current_avg_cost),
          total_cost_usd: round(c.total_cost),
          baseline_avg_usd: b ? round(b.avg_cost) : null,
          baseline_stddev_usd: b?.stddev_cost == null ? null : round(b.stddev_cost),
          baseline_p95_usd: b ? round(b.p95_cost) : null,
          baseline_run_count: b?.run_count ?? 0,
          has_baseline: b !== undefined,
          z_score: z_score === null ? null : round(z_score, 4),
          is_anomaly,
          run_count: c.run_count,
        };
      });
      // The seed's order: highest z first; agents without a baseline last; then by id.
      agents.sort((a, b) => (b.z_score ?? -Infinity) - (a.z_score ?? -Infinity) || a.agent_id.localeCompare(b.agent_id));
      return {
        window: { current: 'last_24h', baseline: '7_day_average' },
        agents,
        total_anomalies: agents.filter((a) => a.is_anomaly).length,
        total_cost_usd: round(current.reduce((sum, c) => sum + c.total_cost, 0)),
      };
    },

    async attentionQueue(auth: AuthContext, q: AttentionQuery, now = new Date()) {
      const rows = await attentionQueue(db, auth.tenantId, now, q.limit, projectOf(auth, q.project_id));
      return {
        queue: rows.map(({ total: _t, attention_score, ...row }) => ({ ...row, attention_score: round(attention_score, 4) })),
        total_attention_items: rows[0]?.total ?? 0,
        weights_version: ATTENTION_WEIGHTS_VERSION,
        weights: { ...ATTENTION_WEIGHTS },
        generated_at: now,
      };
    },
  };
}

export type SignalsService = ReturnType<typeof createSignalsService>;

import { Rng, iso } from './signals-rng.ts';
import { planSteps, stepCount, type StepsSummary } from './signals-steps.ts';
import type { Agent, Model, TenantPlan, World } from './signals-world.ts';

/**
 * The signals data set, row by row, in time order (as a real service receives it): runs
 * over 30 days ending at `now` with a daily and weekly rhythm, their trace steps, and the
 * derived columns filled the way SPEC §3 defines them from the agent's limits.
 */

export type SqlType = 'uuid' | 'text' | 'int' | 'bigint' | 'numeric' | 'boolean' | 'timestamptz';
export type Value = string | number | boolean | null;

export interface RowSink {
  run(row: Value[]): void;
  step(row: Value[]): void;
}

const t = (name: string, type: SqlType) => ({ name, type });

export const RUN_COLUMNS = [
  t('tenant_id', 'uuid'), t('id', 'text'), t('project_id', 'text'), t('work_unit_id', 'text'), t('work_unit_type', 'text'),
  t('work_unit_name', 'text'), t('agent_id', 'text'), t('user_id', 'text'), t('user_name', 'text'), t('source', 'text'),
  t('provider_type', 'text'), t('model', 'text'), t('is_synthetic', 'boolean'), t('status', 'text'), t('state', 'text'),
  t('error', 'text'), t('error_type', 'text'), t('started_at', 'timestamptz'), t('last_seen_at', 'timestamptz'),
  t('completed_at', 'timestamptz'), t('duration_ms', 'bigint'), t('input_tokens', 'bigint'), t('output_tokens', 'bigint'),
  t('cache_read_tokens', 'bigint'), t('cache_write_tokens', 'bigint'), t('reasoning_tokens', 'bigint'),
  t('estimated_cost_usd', 'numeric'), t('cost_source', 'text'), t('risk_level', 'text'), t('latency_bucket', 'text'),
  t('evidence_health', 'text'), t('integrity_status', 'text'), t('incident_count', 'int'), t('policy_draft_count', 'int'),
  t('policy_violation', 'boolean'), t('session_id', 'text'), t('trace_id', 'text'), t('reported_step_count', 'int'),
  t('created_at', 'timestamptz'), t('updated_at', 'timestamptz'),
];

export const STEP_COLUMNS = [
  t('tenant_id', 'uuid'), t('run_id', 'text'), t('trace_id', 'text'), t('step_index', 'int'), t('skill_id', 'text'),
  t('skill_name', 'text'), t('kind', 'text'), t('status', 'text'), t('outcome_category', 'text'), t('outcome_code', 'text'),
  t('model', 'text'), t('input_tokens', 'bigint'), t('output_tokens', 'bigint'), t('cost_cents', 'numeric'),
  t('duration_ms', 'bigint'), t('retry_count', 'int'), t('started_at', 'timestamptz'), t('created_at', 'timestamptz'),
];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const SPAN_DAYS = 30;
/** Runs started this recently may still be running... */
const LIVE_WINDOW = 6 * HOUR;
/** ...with this probability: about 0.5% of all runs end up LIVE. */
const LIVE_SHARE = 0.55;
/** Live runs left behind long ago (stale, STALLED). */
const STALE_SHARE = 0.0002;
const STALL_TIMEOUT = 5 * 60_000;
const FAILURES: Array<[string, string]> = [
  ['timeout', 'step timed out after 300s'], ['rate_limit', 'provider rate limit exceeded (429)'],
  ['tool_error', 'tool returned a non-zero exit status'], ['provider_error', 'upstream provider returned 503'],
  ['validation_error', 'model output did not match the expected schema'],
];

/** Maps u in [0, 1) to a time in the window, denser on weekday afternoons and growing slowly. */
class Timeline {
  private readonly cum: Float64Array;
  private readonly start: number;
  private hour = 0;

  constructor(now: number) {
    const hours = SPAN_DAYS * 24;
    this.start = now - hours * HOUR;
    this.cum = new Float64Array(hours);
    let sum = 0;
    for (let h = 0; h < hours; h++) {
      const at = new Date(this.start + h * HOUR);
      const daily = 0.35 + 0.65 * Math.max(0, Math.sin(((at.getUTCHours() - 7) / 24) * 2 * Math.PI));
      const weekly = at.getUTCDay() === 0 || at.getUTCDay() === 6 ? 0.55 : 1;
      sum += daily * weekly * (0.85 + (0.3 * h) / hours);
      this.cum[h] = sum;
    }
  }

  /** `u` must not decrease between calls (runs are made in time order). */
  at(u: number): number {
    const target = u * this.cum[this.cum.length - 1]!;
    while (this.hour < this.cum.length - 1 && this.cum[this.hour]! <= target) this.hour++;
    const lo = this.hour === 0 ? 0 : this.cum[this.hour - 1]!;
    const frac = (target - lo) / (this.cum[this.hour]! - lo);
    return Math.floor(this.start + (this.hour + Math.min(1, frac)) * HOUR);
  }
}

function pickModel(rng: Rng, agent: Agent): Model {
  return agent.models[rng.weighted(agent.modelCum)]!;
}

/** risk_level from the ratio to the agent's limits (SPEC §3); no limits → OK. */
function riskLevel(agent: Agent, tokens: number, durationMs: number, costUsd: number | null, violation: boolean): string {
  if (violation) return 'VIOLATED';
  const l = agent.limits;
  if (!l) return 'OK';
  let ratio = Math.max(tokens / l.maxTokens, durationMs / l.maxDurationMs);
  if (l.maxCostUsd && costUsd !== null) ratio = Math.max(ratio, costUsd / l.maxCostUsd);
  return ratio >= 1 ? 'VIOLATED' : ratio >= 0.9 ? 'AT_RISK' : ratio >= 0.75 ? 'NEAR_THRESHOLD' : 'OK';
}

interface Usage {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  reasoning: number | null;
  cost: string | null;
  costUsd: number | null;
  costSource: string;
}

const NO_USAGE: Usage = { input: null, output: null, cacheRead: null, cacheWrite: null, reasoning: null, cost: null, costUsd: null, costSource: 'unknown' };

/** Run-level usage and cost: the steps' tokens, plus cache and reasoning where the model has them. */
function usage(rng: Rng, agent: Agent, model: Model, body: StepsSummary): Usage {
  let input = body.inputTokens;
  let output = body.outputTokens;
  let costUsd = body.costUsd;
  if (body.steps.length === 0) {
    if (rng.chance(0.5)) return NO_USAGE;
    input = Math.round(rng.logNormal(8000 * agent.promptScale, 0.8));
    output = Math.round(rng.logNormal(900, 0.8));
    costUsd = model.price ? (input * model.price.input + output * model.price.output) / 1e6 : Number.NaN;
  }
  const cacheRead = agent.cacheRatio > 0 ? Math.round(input * agent.cacheRatio) : null;
  const cacheWrite = cacheRead !== null && model.provider === 'anthropic' ? Math.round(input * 0.05) : null;
  const reasoning = model.reasoning > 0 ? Math.round(output * model.reasoning) : null;
  if (model.price && cacheRead !== null) costUsd += (cacheRead * model.price.cacheRead + (cacheWrite ?? 0) * model.price.cacheWrite) / 1e6;
  const priced = !Number.isNaN(costUsd);
  return {
    input, output, cacheRead, cacheWrite, reasoning,
    cost: priced ? costUsd.toFixed(8) : null,
    costUsd: priced ? costUsd : null,
    costSource: !priced ? 'unknown' : agent.reportsCost ? 'reported' : 'computed',
  };
}

type Life = 'done' | 'live' | 'stale';

export class SignalsGenerator {
  private readonly rng: Rng;
  private readonly timeline: Timeline;

  constructor(private readonly world: World, seed: number, private readonly total: number, private readonly now: number) {
    this.rng = new Rng(seed);
    this.timeline = new Timeline(now);
  }

  /** Runs [from, to) with their steps, into `sink`; call with consecutive ranges. */
  fill(from: number, to: number, sink: RowSink): void {
    for (let i = from; i < to; i++) this.run(i, sink);
  }

  private life(age: number): Life {
    if (age < LIVE_WINDOW && this.rng.chance(LIVE_SHARE)) return 'live';
    if (age > HOUR && this.rng.chance(STALE_SHARE)) return 'stale';
    return 'done';
  }

  private run(i: number, sink: RowSink): void {
    const { rng, now } = this;
    const tenant = this.world.tenants[rng.weighted(this.world.tenantCum)]!;
    const agent = tenant.agents[rng.weighted(tenant.agentCum)]!;
    const createdAt = this.timeline.at((i + rng.next()) / this.total);
    const life = this.life(now - createdAt);
    const ids = { runId: rng.uuid(), traceId: rng.traceId() };
    const model = pickModel(rng, agent);
    const spike = agent.spike > 1 && now - createdAt < DAY ? agent.spike : 1;
    if (life === 'done') this.doneRun(tenant, agent, model, spike, createdAt, ids, sink);
    else this.liveRun(tenant, agent, model, life, createdAt, ids, sink);
  }

  private common(tenant: TenantPlan, agent: Agent, model: Model) {
    const rng = this.rng;
    if (agent.users && (agent.session === '' || rng.chance(0.15))) agent.session = `sess-${rng.traceId().slice(0, 16)}`;
    const user = agent.users ? rng.pick(agent.users) : rng.chance(0.1) ? rng.pick(tenant.users) : null;
    return {
      head: [tenant.id, '', agent.projectId, agent.workUnitId, agent.workUnitType, agent.workUnitName, agent.id,
        user?.id ?? null, user?.name ?? null, agent.source, model.provider, model.name, agent.synthetic || rng.chance(0.01)] as Value[],
      session: agent.users ? agent.session : null,
    };
  }

  private emitSteps(tenantId: string, ids: { runId: string; traceId: string }, body: StepsSummary, startedAt: number, sink: RowSink): void {
    for (const s of body.steps) {
      const at = startedAt + s.offsetMs;
      sink.step([tenantId, ids.runId, ids.traceId, s.index, s.skill.id, s.skill.name, s.skill.kind, s.status, s.outcomeCategory,
        s.outcomeCode, s.model, s.inputTokens, s.outputTokens, s.costCents, s.durationMs, s.retryCount, iso(at), iso(Math.min(this.now, at + s.durationMs))]);
    }
  }

  private doneRun(tenant: TenantPlan, agent: Agent, model: Model, spike: number, createdAt: number, ids: { runId: string; traceId: string }, sink: RowSink): void {
    const rng = this.rng;
    const status = rng.chance(agent.failRate * (spike > 1 ? 1.5 : 1)) ? 'failed' : rng.chance(0.015) ? 'cancelled' : 'completed';
    let n = stepCount(rng);
    if (status === 'cancelled') n = Math.floor(n / 2);
    const body = planSteps(rng, n, { agent, model, spike, failLast: status === 'failed', cutoffMs: Number.POSITIVE_INFINITY });
    const durationMs = body.steps.length > 0 ? body.spanMs : Math.round(rng.logNormal(4000 * agent.speed, 0.9));
    // A run cannot end in the future: one that would is moved back to end just now.
    let startedAt = createdAt + rng.int(1500);
    if (startedAt + durationMs > this.now) startedAt = this.now - durationMs - rng.int(1000);
    const completedAt = startedAt + durationMs;
    const hasSteps = body.steps.length > 0;
    const degraded = hasSteps && rng.chance(0.04);
    // Some degraded runs never reported usage (e.g. spans without gen_ai.usage): no tokens, no cost.
    const u = degraded && rng.chance(0.4) ? NO_USAGE : usage(rng, agent, model, body);
    const violation = rng.chance(0.0025);
    const evidence = !hasSteps && u.input === null ? 'MISSING' : degraded ? 'DEGRADED' : 'HEALTHY';
    const mismatch = hasSteps && rng.chance(0.02);
    const integrity = !hasSteps ? 'UNKNOWN' : body.gap || mismatch ? 'INCOMPLETE' : 'VERIFIED';
    const failure = status === 'failed' ? rng.pick(FAILURES) : null;
    const { head, session } = this.common(tenant, agent, model);
    head[1] = ids.runId;
    sink.run([
      ...head, status, 'COMPLETED', failure?.[1] ?? null, failure?.[0] ?? null, iso(startedAt), iso(completedAt), iso(completedAt),
      durationMs, u.input, u.output, u.cacheRead, u.cacheWrite, u.reasoning, u.cost, u.costSource,
      riskLevel(agent, (u.input ?? 0) + (u.output ?? 0), durationMs, u.costUsd, violation),
      durationMs > agent.slowMs ? 'SLOW' : 'NORMAL', evidence, integrity,
      status === 'failed' && rng.chance(0.1) ? rng.between(1, 2) : rng.chance(0.004) ? 1 : 0,
      rng.chance(0.005) ? 1 : 0, violation, session, ids.traceId,
      hasSteps ? body.steps.length + (mismatch ? rng.between(1, 3) : 0) : null, iso(createdAt), iso(completedAt),
    ]);
    this.emitSteps(tenant.id, ids, body, startedAt, sink);
  }

  /** Pending or running: recent (last seen within two minutes, or STALLED now and then) or stale. */
  private liveRun(tenant: TenantPlan, agent: Agent, model: Model, life: Life, createdAt: number, ids: { runId: string; traceId: string }, sink: RowSink): void {
    const { rng, now } = this;
    const pending = life === 'live' && rng.chance(0.1);
    const startedAt = pending ? null : createdAt + rng.int(1500);
    const from = startedAt ?? createdAt;
    let lastSeen: number;
    if (life === 'stale') lastSeen = Math.min(now - STALL_TIMEOUT - 1, from + Math.round(rng.logNormal(120_000, 1)));
    else if (rng.chance(0.03)) lastSeen = now - STALL_TIMEOUT - rng.int(50 * 60_000);
    else lastSeen = now - rng.int(120_000);
    lastSeen = Math.max(from, lastSeen);
    const body = pending
      ? { steps: [], inputTokens: 0, outputTokens: 0, costUsd: 0, spanMs: 0, gap: false }
      : planSteps(rng, Math.max(1, stepCount(rng)), { agent, model, spike: 1, failLast: false, cutoffMs: lastSeen - from });
    const { head, session } = this.common(tenant, agent, model);
    head[1] = ids.runId;
    sink.run([
      ...head, pending ? 'pending' : 'running', 'LIVE', null, null, startedAt === null ? null : iso(startedAt), iso(lastSeen), null,
      null, null, null, null, null, null, null, null,
      riskLevel(agent, body.inputTokens + body.outputTokens, 0, null, false),
      now - lastSeen > STALL_TIMEOUT ? 'STALLED' : 'NORMAL', null, null, 0, 0, false, session, ids.traceId, null,
      iso(createdAt), iso(lastSeen),
    ]);
    if (startedAt !== null) this.emitSteps(tenant.id, ids, body, startedAt, sink);
  }
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Limits per agent from a sample of its own runs, so risk_level comes out as in a real
 * deployment: mostly OK, a tail near or over the limit. 20% of agents have no limits.
 * slowMs is the sample's p95 duration (SPEC §3's 7-day p95).
 */
export function calibrate(world: World, seed: number, sample = 300): void {
  const rng = new Rng(seed ^ 0xca11);
  for (const tenant of world.tenants) {
    for (const agent of tenant.agents) {
      const tokens: number[] = [];
      const durations: number[] = [];
      const costs: number[] = [];
      for (let k = 0; k < sample; k++) {
        const model = pickModel(rng, agent);
        const body = planSteps(rng, Math.max(1, stepCount(rng)), { agent, model, spike: 1, failLast: false, cutoffMs: Number.POSITIVE_INFINITY });
        tokens.push(body.inputTokens + body.outputTokens);
        durations.push(body.spanMs);
        if (!Number.isNaN(body.costUsd)) costs.push(body.costUsd);
      }
      agent.slowMs = quantile(durations, 0.95);
      if (rng.chance(0.2)) continue;
      const q = rng.pick([0.95, 0.97, 0.98, 0.99, 0.995]);
      agent.limits = {
        maxTokens: Math.ceil(quantile(tokens, q) / 0.75),
        maxDurationMs: Math.ceil(quantile(durations, q) / 0.75),
        maxCostUsd: costs.length > 0 ? Number((quantile(costs, q) / 0.75).toFixed(4)) : null,
      };
    }
  }
}

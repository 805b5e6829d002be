import type { Rng } from './signals-rng.ts';
import type { Agent, Model, Skill } from './signals-world.ts';

/**
 * One run's trace steps: an agent loop alternating LLM calls and tools, log-normal
 * durations and token counts, and now and then the shapes the pattern detectors look for:
 * tool-call loops (one skill 3–6 times in a row), oscillation (A,B,A,B,A,B), retry storms
 * and timeout cascades (several steps over 5 s).
 */

export interface StepOptions {
  agent: Agent;
  model: Model;
  /** Token multiplier (cost spike). */
  spike: number;
  /** Last step fails (the run failed). */
  failLast: boolean;
  /** Steps that start after this offset from the run's start are not written yet (live runs). */
  cutoffMs: number;
}

/** A step with times relative to its run's start; the run decides its absolute start later. */
export interface PlannedStep {
  index: number;
  skill: Skill;
  status: string;
  outcomeCategory: string;
  outcomeCode: string;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costCents: string | null;
  durationMs: number;
  retryCount: number;
  offsetMs: number;
}

export interface StepsSummary {
  steps: PlannedStep[];
  inputTokens: number;
  outputTokens: number;
  /** Step costs in USD (no cache part); NaN when the model has no price. */
  costUsd: number;
  /** From the run's start to the end of its last step. */
  spanMs: number;
  /** Step indexes skip a number (integrity INCOMPLETE). */
  gap: boolean;
}

const ERRORS: Array<[string, string]> = [
  ['tool_error', 'TOOL_ERROR'], ['timeout', 'TIMEOUT'], ['rate_limited', 'RATE_LIMITED'],
  ['invalid_output', 'SCHEMA_MISMATCH'], ['provider_error', 'HTTP_503'],
];
const MAX_STEP_MS = 600_000;

/** Steps in a run: log-normal around 8.5 (mean about 10), 2% with none. */
export function stepCount(rng: Rng): number {
  if (rng.chance(0.02)) return 0;
  return Math.min(150, Math.max(1, Math.round(rng.logNormal(8.5, 0.6))));
}

function pickTool(rng: Rng, agent: Agent): Skill {
  return agent.tools[rng.weighted(agent.toolCum)]!;
}

/** The skill sequence: LLM on even positions, tools (now and then an extra skill) on odd ones. */
function skillPlan(rng: Rng, agent: Agent, n: number): Skill[] {
  const plan: Skill[] = [];
  for (let k = 0; k < n; k++) {
    if (k % 2 === 0) plan.push(agent.llm[rng.weighted(agent.llmCum)]!);
    else plan.push(rng.chance(0.1) ? rng.pick(agent.extra) : pickTool(rng, agent));
  }
  if (n < 2) return plan;
  const at = 1 + 2 * rng.int(Math.max(1, Math.floor(n / 2)));
  if (rng.chance(0.012 * agent.flaky)) {
    const looped = pickTool(rng, agent);
    plan.splice(at, 0, ...Array.from({ length: rng.between(3, 6) }, () => looped));
  } else if (agent.tools.length > 1 && rng.chance(0.006 * agent.flaky)) {
    const a = pickTool(rng, agent);
    let b = pickTool(rng, agent);
    while (b === a) b = rng.pick(agent.tools);
    const pairs = rng.between(3, 4);
    for (let p = 0; p < pairs; p++) plan.splice(at + 2 * p, 0, a, b);
  }
  return plan;
}

function duration(rng: Rng, skill: Skill, agent: Agent): number {
  let ms: number;
  if (skill.kind === 'llm') ms = rng.logNormal(900 * agent.speed, 0.8);
  else if (skill.kind === 'tool') ms = rng.logNormal(250 * agent.speed, 1.1);
  else if (skill.kind === 'agent') ms = rng.logNormal(4000 * agent.speed, 0.7);
  else ms = rng.logNormal(40, 0.8);
  return Math.min(MAX_STEP_MS, Math.max(1, Math.round(ms)));
}

/** Which steps retry: a storm (several steps, 1–4 retries each) or the odd single retry. */
function retries(rng: Rng, agent: Agent, n: number): Int32Array {
  const out = new Int32Array(n);
  if (n > 0 && rng.chance(0.01 * agent.flaky)) {
    const count = Math.min(n, rng.between(2, 5));
    for (let k = 0; k < count; k++) out[rng.int(n)] = rng.between(1, 4);
  }
  for (let k = 0; k < n; k++) {
    if (out[k] === 0 && rng.chance(0.018)) out[k] = rng.chance(0.8) ? 1 : 2;
  }
  return out;
}

/** A block of 2–4 steps far slower than usual (a provider timing out). */
function cascade(rng: Rng, agent: Agent, n: number): [number, number] {
  if (n < 2 || !rng.chance(0.01 * agent.flaky)) return [-1, -1];
  const from = rng.int(n - 1);
  return [from, from + rng.between(2, 4)];
}

export function planSteps(rng: Rng, n: number, o: StepOptions): StepsSummary {
  const { agent, model } = o;
  const plan = skillPlan(rng, agent, n);
  const retry = retries(rng, agent, plan.length);
  const [slowFrom, slowTo] = cascade(rng, agent, plan.length);
  const gapAt = plan.length > 2 && rng.chance(0.03) ? 1 + rng.int(plan.length - 1) : -1;
  const price = model.price;
  const steps: PlannedStep[] = [];
  let offset = rng.int(200);
  let inputTokens = 0;
  let outputTokens = 0;
  let costUsd = price ? 0 : Number.NaN;
  let index = 0;
  for (let k = 0; k < plan.length; k++) {
    if (offset > o.cutoffMs) break;
    if (k === gapAt) index++;
    const skill = plan[k]!;
    let dur = duration(rng, skill, agent) * (1 + retry[k]!);
    const slow = k >= slowFrom && k < slowTo;
    if (slow) dur = Math.min(MAX_STEP_MS, dur * (8 + rng.int(8)) + 5000);
    const last = k === plan.length - 1;
    const failed = (last && o.failLast) || rng.chance(skill.kind === 'tool' ? 0.015 : 0.006) || (slow && rng.chance(0.3));
    const error = failed ? (slow ? ERRORS[1]! : rng.pick(ERRORS)) : null;
    let inTok: number | null = null;
    let outTok: number | null = null;
    let cents: string | null = null;
    if (skill.kind === 'llm') {
      inTok = Math.round(rng.logNormal(2500 * agent.promptScale, 0.8) * o.spike);
      outTok = Math.round(rng.logNormal(350, 0.9) * o.spike);
      inputTokens += inTok;
      outputTokens += outTok;
      if (price) {
        const usd = (inTok * price.input + outTok * price.output) / 1e6;
        costUsd += usd;
        cents = (usd * 100).toFixed(6);
      }
    }
    steps.push({
      index,
      skill,
      status: error ? 'error' : 'ok',
      outcomeCategory: error ? error[0] : 'success',
      outcomeCode: error ? error[1] : retry[k]! > 0 ? 'OK_AFTER_RETRY' : 'OK',
      model: skill.kind === 'llm' ? model.name : null,
      inputTokens: inTok,
      outputTokens: outTok,
      costCents: cents,
      durationMs: dur,
      retryCount: retry[k]!,
      offsetMs: offset,
    });
    index++;
    offset += dur + 5 + rng.int(60);
  }
  return { steps, inputTokens, outputTokens, costUsd, spanMs: offset, gap: gapAt >= 0 && steps.length > gapAt };
}

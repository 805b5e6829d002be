import { COST_ANOMALY_AGENT, DEMO_AGENTS, type DemoAgent } from './demo-catalog.ts';

/** A batch item of POST /ingest. */
export interface DemoItem {
  type: 'run.create' | 'steps.append' | 'run.complete' | 'run.fail' | 'activity.create';
  id: string;
  body: Record<string, unknown>;
}

export const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** mulberry32: a small seeded generator, so the same seed gives the same data set. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    between: (lo: number, hi: number) => lo + (hi - lo) * next(),
    int: (lo: number, hi: number) => Math.floor(lo + (hi - lo + 1) * next()),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}
type Rng = ReturnType<typeof seeded>;

interface Step {
  step_index: number;
  skill_id: string | null;
  skill_name: string | null;
  kind: 'llm' | 'tool';
  status: string;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  duration_ms: number;
  retry_count: number;
  started_at: string;
}

/**
 * The skills a run calls in order: an LLM step (no skill) between tool calls, so an ordinary
 * run never re-enters a skill; a pattern run calls them the way its detector looks for.
 */
function skillPlan(agent: DemoAgent, rng: Rng, pattern: DemoAgent['pattern'] | null): (string | null)[] {
  const [a, b, c] = agent.skills as [string, string, string];
  if (pattern === 'step_oscillation') return [null, a, null, b, null, a, null, b, null, a, null, b, null, a, null];
  if (pattern === 'tool_call_loop') return [null, a, b, b, b, b, null, c, null];
  const count = rng.int(2, Math.min(4, agent.skills.length));
  const plan: (string | null)[] = [null];
  for (const skill of agent.skills.slice(0, count)) plan.push(skill, null);
  return plan;
}

function buildSteps(agent: DemoAgent, rng: Rng, start: number, pattern: DemoAgent['pattern'] | null, tokenScale: number, failed: boolean): Step[] {
  const plan = skillPlan(agent, rng, pattern);
  const slowAt = pattern === 'timeout_cascade' ? new Set([1, 3, 5].filter((i) => i < plan.length)) : new Set<number>();
  const retryAt = pattern === 'retry_loop' ? plan.findIndex((s) => s !== null) : -1;
  let at = start + rng.int(50, 400);
  return plan.map((skill, i) => {
    const llm = skill === null;
    const duration = slowAt.has(i) ? rng.int(6_000, 9_500) : llm ? rng.int(400, 2_400) : rng.int(80, 1_400);
    const step: Step = {
      step_index: i, skill_id: skill, skill_name: skill?.replace(/_/g, ' ') ?? null, kind: llm ? 'llm' : 'tool',
      status: failed && i === plan.length - 1 ? 'error' : 'ok', model: llm ? agent.model : null,
      input_tokens: llm ? Math.round(agent.tokens[0] * tokenScale * rng.between(0.7, 1.3)) : null,
      output_tokens: llm ? Math.round(agent.tokens[1] * tokenScale * rng.between(0.7, 1.3)) : null,
      duration_ms: duration, retry_count: i === retryAt ? rng.int(3, 5) : 0, started_at: new Date(at).toISOString(),
    };
    at += duration + rng.int(10, 120);
    return step;
  });
}

const ERRORS = [
  ['timeout', 'the model did not answer within 60 s'],
  ['rate_limit', '429 Too Many Requests from the provider'],
  ['tool_error', 'the tool returned an error: upstream unavailable'],
] as const;

/** One finished run of `agent` that started at `start`: its create, steps and end items. */
function finishedRun(agent: DemoAgent, rng: Rng, id: string, start: number, now: number, opts: { pattern: boolean; lastDay: boolean; n: number }): DemoItem[] {
  const failed = rng.next() < 0.06;
  const scale = agent.id === COST_ANOMALY_AGENT && opts.lastDay ? 4 : 1;
  const steps = buildSteps(agent, rng, start, opts.pattern ? agent.pattern! : null, scale, failed);
  const last = steps[steps.length - 1]!;
  const end = Math.min(Date.parse(last.started_at) + last.duration_ms + rng.int(20, 300), now - MINUTE_MS);
  const usage = {
    input_tokens: steps.reduce((sum, s) => sum + (s.input_tokens ?? 0), 0),
    output_tokens: steps.reduce((sum, s) => sum + (s.output_tokens ?? 0), 0),
    step_count: steps.length,
    completed_at: new Date(end).toISOString(),
    ...(opts.lastDay && opts.n % 11 === 3 ? { incident_count: 1 } : {}),
    ...(opts.lastDay && opts.n % 17 === 5 ? { policy_violation: true } : {}),
  };
  const [errorType, error] = rng.pick(ERRORS);
  return [
    { type: 'run.create', id, body: runCreate(agent, id, start) },
    { type: 'steps.append', id, body: { steps } },
    failed
      ? { type: 'run.fail', id, body: { ...usage, error, error_type: errorType } }
      : { type: 'run.complete', id, body: { ...usage, output_data: { summary: `${agent.name} finished` } } },
  ];
}

function runCreate(agent: DemoAgent, id: string, start: number) {
  return {
    id, project_id: agent.project, work_unit_id: agent.id, work_unit_name: agent.name, agent_id: agent.id,
    source: agent.source, provider_type: agent.provider, model: agent.model, status: 'running',
    started_at: new Date(start).toISOString(), metadata: { demo: true },
  };
}

/**
 * A week of runs per work unit, newest day first (day 0 is the last 24 hours), each run's
 * items together; plus a few runs still going, started minutes ago. Deterministic for a seed
 * and a `now`; run ids are stable, so loading twice adds nothing.
 */
export function demoRuns(seed: number, now: number): { runs: DemoItem[][]; live: DemoItem[][] } {
  const rng = seeded(seed);
  const runs: DemoItem[][] = [];
  for (const agent of DEMO_AGENTS) {
    for (let day = 0; day < 7; day++) {
      for (let n = 0; n < agent.perDay; n++) {
        const start = now - (day + rng.between(0.01, 0.99)) * DAY_MS;
        const pattern = agent.pattern !== undefined && (n % 9 === 0 || (day === 0 && n % 4 === 1));
        runs.push(finishedRun(agent, rng, `demo-${agent.id}-d${day}-${n}`, start, now, { pattern, lastDay: day === 0, n }));
      }
    }
  }
  const live = DEMO_AGENTS.slice(0, 4).map((agent, i) => {
    const id = `demo-${agent.id}-live`;
    const start = now - (2 + i * 2) * MINUTE_MS;
    const steps = buildSteps(agent, rng, start, null, 1, false).slice(0, 2);
    return [{ type: 'run.create', id, body: runCreate(agent, id, start) }, { type: 'steps.append', id, body: { steps } }] as DemoItem[];
  });
  return { runs, live };
}

const ACTIVITY_KINDS = [
  { type: 'deploy', action: (a: DemoAgent) => `Deployed ${a.name}`, target: (a: DemoAgent) => `${a.id}@v1.${a.skills.length}` },
  { type: 'review', action: (a: DemoAgent) => `Reviewed a ${a.name} run`, target: (a: DemoAgent) => a.id },
  { type: 'config', action: (a: DemoAgent) => `Changed the prompt of ${a.name}`, target: (a: DemoAgent) => `${a.id}/prompt.md` },
];

/** People's own entries in the feed (deploys, reviews, prompt changes), spread over the week. */
export function demoActivities(seed: number, now: number): DemoItem[] {
  const rng = seeded(seed + 1);
  const items: DemoItem[] = [];
  for (let i = 0; i < 40; i++) {
    const agent = rng.pick(DEMO_AGENTS);
    const kind = rng.pick(ACTIVITY_KINDS);
    items.push({
      type: 'activity.create', id: `demo-activity-${i}`,
      body: {
        type: kind.type, action_name: kind.action(agent), target_name: kind.target(agent), status: 'success',
        source: 'demo', project_id: agent.project, work_unit_id: agent.id, is_automated: false,
        occurred_at: new Date(now - rng.between(0.02, 6.9) * DAY_MS).toISOString(),
      },
    });
  }
  return items;
}

/** A coding-assistant session as its hooks send it (POST /hooks/claude-code), an hour and a half ago. */
export function demoHookSession(now: number): Record<string, unknown>[] {
  const session = 'demo-claude-code-session-1';
  const base = { session_id: session, cwd: '/home/dev/shop', permission_mode: 'default' };
  const at = (minutes: number) => new Date(now - 90 * MINUTE_MS + minutes * MINUTE_MS).toISOString();
  const tool = (n: number, minutes: number, name: string, input: object, response: unknown, fail = false) => [
    { ...base, hook_event_name: 'PreToolUse', tool_name: name, tool_use_id: `demo-tool-${n}`, tool_input: input, runlog_observed_at: at(minutes) },
    fail
      ? { ...base, hook_event_name: 'PostToolUseFailure', tool_name: name, tool_use_id: `demo-tool-${n}`, tool_input: input, error: response, runlog_observed_at: at(minutes + 0.4) }
      : { ...base, hook_event_name: 'PostToolUse', tool_name: name, tool_use_id: `demo-tool-${n}`, tool_input: input, tool_response: response, runlog_observed_at: at(minutes + 0.2) },
  ];
  return [
    { ...base, hook_event_name: 'SessionStart', source: 'startup', runlog_observed_at: at(0) },
    { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'The refund total is off by the shipping fee; find out why and fix it.', runlog_observed_at: at(0.5) },
    ...tool(1, 1, 'Grep', { pattern: 'shippingFee', path: 'src' }, { matches: 4 }),
    ...tool(2, 2, 'Read', { file_path: 'src/refunds/total.ts' }, { lines: 88 }),
    ...tool(3, 4, 'Edit', { file_path: 'src/refunds/total.ts', old_string: 'subtotal', new_string: 'subtotal + shippingFee' }, { ok: true }),
    ...tool(4, 6, 'Bash', { command: 'npm test -- refunds' }, 'Tests failed: 1 of 42 (expected 19.99, got 24.98)', true),
    ...tool(5, 8, 'Edit', { file_path: 'test/refunds.test.ts', old_string: '19.99', new_string: '24.98' }, { ok: true }),
    ...tool(6, 9, 'Bash', { command: 'npm test -- refunds' }, { stdout: '42 passed' }),
    { ...base, hook_event_name: 'Stop', runlog_observed_at: at(10) },
    { ...base, hook_event_name: 'SessionEnd', reason: 'exit', runlog_observed_at: at(12) },
  ];
}

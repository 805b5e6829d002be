import { Rng, cumulative, zipf } from './signals-rng.ts';

/**
 * Who produces the signals data set: 20 tenants (one with half the traffic), each with its
 * projects, a skill vocabulary and 10–30 agents that keep their own habits (source,
 * provider, models, speed, prompt size, failure rate, flakiness). Drawn from the seed only.
 */

export type StepKind = 'llm' | 'tool' | 'agent' | 'other';

export interface Skill {
  id: string;
  name: string;
  kind: StepKind;
}

export interface Model {
  name: string;
  provider: string;
  /** USD per million tokens; null for a model with no price (cost stays NULL, never 0). */
  price: { input: number; output: number; cacheRead: number; cacheWrite: number } | null;
  /** Share of output billed as reasoning tokens. */
  reasoning: number;
}

export interface Limits {
  maxTokens: number;
  maxDurationMs: number;
  maxCostUsd: number | null;
}

export interface Agent {
  id: string;
  workUnitId: string;
  workUnitName: string;
  workUnitKind: 'agent' | 'pipeline' | 'workflow';
  workUnitType: 'atomic' | 'composite';
  projectId: string;
  source: string;
  provider: string;
  models: Model[];
  modelCum: Float64Array;
  llm: Skill[];
  llmCum: Float64Array;
  tools: Skill[];
  toolCum: Float64Array;
  extra: Skill[];
  /** Multiplies step durations. */
  speed: number;
  /** Multiplies prompt tokens. */
  promptScale: number;
  failRate: number;
  /** Multiplies the rates of loops, oscillation, retry storms and timeout cascades. */
  flaky: number;
  cacheRatio: number;
  reportsCost: boolean;
  synthetic: boolean;
  /** Token multiplier in the last 24 h (1: no spike). */
  spike: number;
  users: Array<{ id: string; name: string }> | null;
  /** Set by calibration: limits (null: none) and the p95 duration that makes a run SLOW. */
  limits: Limits | null;
  slowMs: number;
  session: string;
}

export interface TenantPlan {
  name: string;
  id: string;
  share: number;
  projects: Array<{ id: string; name: string }>;
  users: Array<{ id: string; name: string }>;
  agents: Agent[];
  agentCum: Float64Array;
}

export interface World {
  tenants: TenantPlan[];
  tenantCum: Float64Array;
}

export const TENANT_COUNT = 20;
/** Share of all runs that belongs to tenant 0. */
const BIG_SHARE = 0.5;

export function tenantNames(count = TENANT_COUNT): string[] {
  return Array.from({ length: count }, (_, i) => `bench-signals-${String(i).padStart(2, '0')}`);
}

const MODELS: Record<string, Array<[Model, number]>> = {
  anthropic: [
    [{ name: 'claude-sonnet-4-5', provider: 'anthropic', price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }, reasoning: 0 }, 0.55],
    [{ name: 'claude-haiku-4-5', provider: 'anthropic', price: { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 }, reasoning: 0 }, 0.3],
    [{ name: 'claude-opus-4-5', provider: 'anthropic', price: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 }, reasoning: 0 }, 0.15],
  ],
  openai: [
    [{ name: 'gpt-5', provider: 'openai', price: { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 1.25 }, reasoning: 0.4 }, 0.25],
    [{ name: 'gpt-5-mini', provider: 'openai', price: { input: 0.25, output: 2, cacheRead: 0.025, cacheWrite: 0.25 }, reasoning: 0.3 }, 0.35],
    [{ name: 'gpt-4.1', provider: 'openai', price: { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 2 }, reasoning: 0 }, 0.15],
    [{ name: 'gpt-4o-mini', provider: 'openai', price: { input: 0.15, output: 0.6, cacheRead: 0.075, cacheWrite: 0.15 }, reasoning: 0 }, 0.25],
  ],
  google: [
    [{ name: 'gemini-2.5-pro', provider: 'google', price: { input: 1.25, output: 10, cacheRead: 0.31, cacheWrite: 1.25 }, reasoning: 0.3 }, 0.35],
    [{ name: 'gemini-2.5-flash', provider: 'google', price: { input: 0.3, output: 2.5, cacheRead: 0.075, cacheWrite: 0.3 }, reasoning: 0 }, 0.65],
  ],
  internal: [
    [{ name: 'internal-llama-70b', provider: 'internal', price: null, reasoning: 0 }, 0.7],
    [{ name: 'internal-mistral-7b', provider: 'internal', price: null, reasoning: 0 }, 0.3],
  ],
};
const PROVIDERS: Array<[string, number]> = [['anthropic', 0.5], ['openai', 0.3], ['google', 0.16], ['internal', 0.04]];
/** The busiest agents of a tenant call hosted models: self-hosted (unpriced) ones stay a small share of runs. */
const HOSTED = PROVIDERS.filter(([p]) => p !== 'internal');
const HOSTED_RANKS = 5;
const SOURCES: Array<[string, number]> = [['sdk', 0.45], ['otlp', 0.25], ['claude-code', 0.18], ['api', 0.12]];

const LLM_SKILLS = ['llm_invoke_v2', 'llm_plan', 'llm_summarize', 'llm_classify', 'llm_extract', 'llm_rerank', 'llm_reflect', 'llm_draft_reply', 'llm_code_edit', 'llm_route'];
const TOOL_SKILLS = [
  'web_search', 'web_fetch', 'sql_query', 'vector_search', 'kb_lookup', 'crm_update', 'ticket_create', 'ticket_comment',
  'email_send', 'slack_post', 'calendar_lookup', 'file_read', 'file_write', 'bash_exec', 'git_diff', 'git_commit',
  'http_get', 'http_post', 'pdf_parse', 'ocr_scan', 'translate', 'geocode', 'payment_lookup', 'refund_issue',
  'inventory_check', 'order_status', 'shipment_track', 'user_lookup', 'policy_check', 'pii_redact', 'json_validate',
  'code_search', 'test_run', 'lint_run', 'deploy_status', 'metrics_query', 'log_search', 'alert_ack',
];
const AGENT_SKILLS = ['subagent_research', 'subagent_review', 'subagent_triage', 'handoff_human'];
const OTHER_SKILLS = ['memory_read', 'memory_write', 'cache_get', 'guardrail_check'];

const AGENT_NAMES = [
  'support-triage', 'billing-assistant', 'sales-outreach', 'lead-qualifier', 'code-reviewer', 'pr-summarizer',
  'incident-responder', 'log-analyst', 'doc-writer', 'research-assistant', 'contract-reviewer', 'invoice-extractor',
  'hr-onboarding', 'it-helpdesk', 'data-cleaner', 'report-builder', 'sql-copilot', 'churn-predictor', 'translation-bot',
  'meeting-notes', 'email-drafter', 'kb-curator', 'qa-tester', 'release-notes', 'security-scanner', 'fraud-screener',
  'order-tracker', 'refund-agent', 'catalog-enricher', 'seo-writer', 'social-listener', 'survey-analyst',
  'recruiter-screener', 'compliance-checker', 'pricing-advisor', 'forecast-agent', 'inventory-planner', 'ticket-router',
  'onboarding-guide', 'claims-processor',
];
const PROJECTS = [['default', 'Default'], ['production', 'Production'], ['staging', 'Staging'], ['research', 'Research'], ['internal-tools', 'Internal tools']];
const FIRST_NAMES = ['ana', 'ben', 'chen', 'dara', 'eli', 'fatima', 'gus', 'hana', 'ivan', 'jo', 'kofi', 'lena', 'mo', 'nia', 'omar', 'pia', 'quinn', 'raj', 'sara', 'tom'];

function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function weightedPick<T>(rng: Rng, table: Array<[T, number]>): T {
  return table[rng.weighted(cumulative(table.map(([, w]) => w)))]![0];
}

function skill(id: string, kind: StepKind): Skill {
  return { id, kind, name: id.replace(/_v\d+$/, '').replace(/_/g, ' ') };
}

/** About 30 skills per tenant, drawn from a shared pool; a few carry a version suffix. */
function tenantSkills(rng: Rng): Record<StepKind, Skill[]> {
  const versioned = (id: string) => (rng.chance(0.2) && !/_v\d+$/.test(id) ? `${id}_v${rng.between(2, 3)}` : id);
  return {
    llm: shuffled(rng, LLM_SKILLS).slice(0, 5).map((id) => skill(versioned(id), 'llm')),
    tool: shuffled(rng, TOOL_SKILLS).slice(0, 20).map((id) => skill(versioned(id), 'tool')),
    agent: shuffled(rng, AGENT_SKILLS).slice(0, 2).map((id) => skill(id, 'agent')),
    other: shuffled(rng, OTHER_SKILLS).slice(0, 3).map((id) => skill(id, 'other')),
  };
}

function makeAgent(rng: Rng, base: string, rank: number, t: { projects: TenantPlan['projects']; skills: Record<StepKind, Skill[]>; users: Agent['users'] }): Agent {
  const source = weightedPick(rng, SOURCES);
  const provider = source === 'claude-code' ? 'anthropic' : weightedPick(rng, rank < HOSTED_RANKS ? HOSTED : PROVIDERS);
  const models = shuffled(rng, MODELS[provider]!).slice(0, rng.between(1, 2));
  const llm = shuffled(rng, t.skills.llm).slice(0, rng.between(1, 2));
  const tools = shuffled(rng, t.skills.tool).slice(0, rng.between(3, 7));
  const kind = rng.chance(0.8) ? 'agent' : rng.chance(0.6) ? 'pipeline' : 'workflow';
  const composite = rng.chance(0.2);
  const version = `${rng.between(1, 3)}.${rng.between(0, 9)}.${rng.between(0, 4)}`;
  return {
    id: base,
    workUnitId: `${base}-${version}`,
    workUnitName: base.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' '),
    workUnitKind: kind,
    workUnitType: composite ? 'composite' : 'atomic',
    projectId: t.projects[rng.weighted(cumulative(zipf(t.projects.length, 1)))]!.id,
    source,
    provider,
    models: models.map(([m]) => m),
    modelCum: cumulative(models.map(([, w]) => w)),
    llm,
    llmCum: cumulative(zipf(llm.length, 1)),
    tools,
    toolCum: cumulative(zipf(tools.length, 0.8)),
    extra: [...(composite ? t.skills.agent : []), ...t.skills.other],
    speed: Math.exp(0.5 * rng.normal()),
    promptScale: Math.exp(0.6 * rng.normal()),
    failRate: rng.chance(0.15) ? 0.08 + 0.1 * rng.next() : 0.01 + 0.04 * rng.next(),
    flaky: rng.chance(0.1) ? 5 : 1,
    cacheRatio: provider !== 'internal' && rng.chance(0.6) ? 0.3 + 0.5 * rng.next() : 0,
    reportsCost: source === 'sdk' && rng.chance(0.3),
    synthetic: rng.chance(0.05),
    spike: 1,
    users: source === 'claude-code' ? t.users : null,
    limits: null,
    slowMs: Number.POSITIVE_INFINITY,
    session: '',
  };
}

function makeTenant(rng: Rng, name: string, id: string, share: number, big: boolean): TenantPlan {
  const projects = PROJECTS.slice(0, big ? 5 : rng.between(2, 4)).map(([pid, pname]) => ({ id: pid!, name: pname! }));
  const skills = tenantSkills(rng);
  const users = shuffled(rng, FIRST_NAMES).slice(0, rng.between(4, 12)).map((n, i) => ({ id: `u-${n}-${i}`, name: n[0]!.toUpperCase() + n.slice(1) }));
  const agents = shuffled(rng, AGENT_NAMES).slice(0, big ? 30 : rng.between(10, 28)).map((base, rank) => makeAgent(rng, base, rank, { projects, skills, users }));
  return { name, id, share, projects, users, agents, agentCum: cumulative(zipf(agents.length, 1)) };
}

/** Cost spikes: three busy agents of the big tenant and one agent in each of five others. */
function addSpikes(rng: Rng, tenants: TenantPlan[]): void {
  const spike = (agent: Agent) => {
    agent.spike = 3 + 3 * rng.next();
  };
  for (const i of [1, 3, 6]) spike(tenants[0]!.agents[i]!);
  for (let t = 1; t <= 5 && t < tenants.length; t++) spike(tenants[t]!.agents[rng.int(4)]!);
}

export function buildWorld(seed: number, tenantIds: string[]): World {
  const rng = new Rng(seed ^ 0x51a1);
  const names = tenantNames(tenantIds.length);
  const rest = zipf(tenantIds.length - 1, 0.9);
  const restSum = rest.reduce((a, b) => a + b, 0);
  const shares = [BIG_SHARE, ...rest.map((w) => ((1 - BIG_SHARE) * w) / restSum)];
  const tenants = tenantIds.map((id, i) => makeTenant(rng, names[i]!, id, shares[i]!, i === 0));
  addSpikes(rng, tenants);
  return { tenants, tenantCum: cumulative(shares) };
}

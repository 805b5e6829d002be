/** The demo's cast: projects, work units (with the skills their steps call), people and teams. */

export interface DemoAgent {
  id: string;
  name: string;
  kind: 'agent' | 'pipeline' | 'workflow';
  project: string;
  provider: string;
  model: string;
  source: string;
  skills: string[];
  /** Runs a day, and typical tokens per LLM step (input, output). */
  perDay: number;
  tokens: [number, number];
  limits?: { max_cost_usd?: number; max_tokens?: number; max_duration_ms?: number };
  /** The pattern this unit shows now and then (seed 001 §4 detectors). */
  pattern?: 'retry_loop' | 'step_oscillation' | 'tool_call_loop' | 'timeout_cascade';
  description: string;
}

export const DEMO_PROJECTS = [
  { id: 'checkout', name: 'Checkout', limits: { max_cost_usd: 0.5 } },
  { id: 'support', name: 'Customer support', limits: {} },
  { id: 'research', name: 'Research', limits: { max_duration_ms: 120_000 } },
];

export const DEMO_AGENTS: DemoAgent[] = [
  {
    id: 'support-triage', name: 'Support triage', kind: 'agent', project: 'support', provider: 'anthropic', model: 'claude-sonnet-4-5',
    source: 'sdk', skills: ['classify_ticket', 'search_kb', 'draft_reply', 'escalate'], perDay: 24, tokens: [2400, 500],
    description: 'Reads incoming tickets, finds the answer in the knowledge base and drafts a reply.',
  },
  {
    id: 'refund-agent', name: 'Refund agent', kind: 'agent', project: 'checkout', provider: 'openai', model: 'gpt-4o',
    source: 'sdk', skills: ['lookup_order', 'check_policy', 'issue_refund', 'notify_customer'], perDay: 18, tokens: [1500, 300],
    limits: { max_tokens: 9_000 }, pattern: 'step_oscillation',
    description: 'Decides refund requests against the policy and issues them.',
  },
  {
    id: 'fraud-screen', name: 'Fraud screen', kind: 'pipeline', project: 'checkout', provider: 'google', model: 'gemini-2.5-flash',
    source: 'otlp', skills: ['fetch_signals', 'score_risk', 'call_bureau', 'decide'], perDay: 30, tokens: [900, 120],
    limits: { max_duration_ms: 30_000 }, pattern: 'timeout_cascade',
    description: 'Scores every order for fraud before it is captured.',
  },
  {
    id: 'doc-summarizer', name: 'Doc summarizer', kind: 'workflow', project: 'research', provider: 'anthropic', model: 'claude-haiku-4-5',
    source: 'sdk', skills: ['fetch_doc', 'web_search', 'summarize', 'cite'], perDay: 16, tokens: [6000, 900], pattern: 'tool_call_loop',
    description: 'Summarises papers and reports with citations.',
  },
  {
    id: 'code-reviewer', name: 'Code reviewer', kind: 'agent', project: 'research', provider: 'anthropic', model: 'claude-sonnet-4-5',
    source: 'ci', skills: ['read_diff', 'run_tests', 'comment', 'approve'], perDay: 12, tokens: [8000, 1200], pattern: 'retry_loop',
    description: 'Reviews pull requests and runs the tests before approving.',
  },
  {
    id: 'lead-enricher', name: 'Lead enricher', kind: 'pipeline', project: 'support', provider: 'openai', model: 'gpt-4o-mini',
    source: 'otlp', skills: ['lookup_company', 'enrich', 'score_lead'], perDay: 20, tokens: [1200, 200],
    description: 'Adds company data and a score to new sign-ups.',
  },
];

/** The agent whose cost jumps in the last day (SIG-O4's anomaly). */
export const COST_ANOMALY_AGENT = 'support-triage';

export const DEMO_USERS = [
  { email: 'alice@example.com', name: 'Alice Martin', role: 'admin' as const },
  { email: 'bob@example.com', name: 'Bob Chen', role: 'member' as const },
  { email: 'carol@example.com', name: 'Carol Diaz', role: 'viewer' as const },
];

export const DEMO_WORKSPACES = [
  {
    name: 'Payments team', description: 'Refunds and fraud screening', department: 'Payments',
    members: [['alice@example.com', 'admin'], ['bob@example.com', 'member']] as const, units: ['refund-agent', 'fraud-screen'],
  },
  {
    name: 'Support desk', description: 'Ticket triage and lead enrichment', department: 'Support',
    members: [['bob@example.com', 'admin'], ['carol@example.com', 'viewer']] as const, units: ['support-triage', 'lead-enricher'],
  },
];

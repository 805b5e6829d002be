import { expect } from 'vitest';
import { call, type TestContext } from './helpers.ts';

/** A run as a fixture: when it ran, what it used, and how it ended. */
export interface FixtureRun {
  id: string;
  started_at: Date;
  /** Duration in ms; absent: the run stays live. */
  duration_ms?: number;
  end?: 'complete' | 'fail' | 'cancel';
  project_id?: string;
  work_unit_id?: string;
  agent_id?: string;
  source?: string;
  provider_type?: string;
  cost?: number;
  input_tokens?: number;
  output_tokens?: number;
  output?: unknown;
  error?: string;
  step_count?: number;
  policy_violation?: boolean;
  incident_count?: number;
  steps?: { step_index: number; skill_id?: string; retry_count?: number; duration_ms?: number; input_tokens?: number; output_tokens?: number }[];
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const ago = (ms: number, now = Date.now()) => new Date(now - ms);

/** The /ingest items that build `run`: create (running, in the past), steps, then its end. */
export function runItems(run: FixtureRun): object[] {
  const create = {
    id: run.id, status: 'running', started_at: run.started_at.toISOString(),
    ...Object.fromEntries((['project_id', 'work_unit_id', 'agent_id', 'source', 'provider_type'] as const).filter((k) => run[k] !== undefined).map((k) => [k, run[k]])),
  };
  const items: object[] = [{ type: 'run.create', id: run.id, body: create }];
  if (run.steps?.length) {
    const at = run.started_at.toISOString();
    items.push({ type: 'steps.append', id: run.id, body: { steps: run.steps.map((s) => ({ ...s, started_at: at })) } });
  }
  if (run.end && run.duration_ms !== undefined) {
    const body: Record<string, unknown> = { completed_at: new Date(run.started_at.getTime() + run.duration_ms).toISOString() };
    if (run.cost !== undefined) body.estimated_cost_usd = run.cost;
    if (run.input_tokens !== undefined) body.input_tokens = run.input_tokens;
    if (run.output_tokens !== undefined) body.output_tokens = run.output_tokens;
    if (run.output !== undefined) body.output_data = run.output;
    if (run.step_count !== undefined) body.step_count = run.step_count;
    if (run.policy_violation !== undefined) body.policy_violation = run.policy_violation;
    if (run.incident_count !== undefined) body.incident_count = run.incident_count;
    if (run.end === 'fail' && run.error) body.error = run.error;
    items.push({ type: `run.${run.end}`, id: run.id, body });
  }
  return items;
}

/** Loads runs through POST /ingest (in item order, so earlier runs finish first) and checks every item landed. */
export async function loadRuns(ctx: TestContext, key: string, runs: FixtureRun[]): Promise<void> {
  const items = runs.flatMap(runItems);
  for (let i = 0; i < items.length; i += 900) {
    const res = await call(ctx, key, 'POST', '/ingest', { items: items.slice(i, i + 900) });
    expect(res.status).toBe(200);
    const failed = res.body.results.filter((r: { status: number }) => r.status >= 300);
    expect(failed).toEqual([]);
  }
}

/** The stored run, as GET /runs/{id} shows it. */
export async function getRun(ctx: TestContext, key: string, id: string) {
  const res = await call(ctx, key, 'GET', `/runs/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

import { api, type DashboardServer } from './server.ts';
import { STRATEGY_SAMPLES } from '../strategy-samples.ts';

export { STRATEGY_SAMPLES };

/** Activities of every strategy with their renders stored, as the rendering worker leaves them. */
export async function seedRenderedActivities(server: DashboardServer): Promise<void> {
  for (const [strategy, sample] of Object.entries(STRATEGY_SAMPLES)) {
    const activity = await api(server, 'POST', '/activities', { id: `render-${strategy}`, type: 'render', action_name: `show ${strategy}`, target_name: strategy, status: 'success', source: 'sdk', data: sample.data });
    await server.db.query(
      `UPDATE activities SET processing_status = 'COMPLETED', schema_render = $3::jsonb WHERE tenant_id = $1 AND id = $2`,
      [server.tenantId, activity.id, JSON.stringify({ version: 1, analyzer: 'builtin', fingerprint: strategy, ...sample.render })],
    );
  }
}

const AGENTS = ['researcher', 'coder', 'reviewer', 'planner'];

/** Runs in every status with steps, a hook session, and a few plain activities. */
export async function seedRuns(server: DashboardServer, n = 16): Promise<string[]> {
  const ids: string[] = [];
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const id = `run-${i.toString().padStart(3, '0')}`;
    ids.push(id);
    const started = new Date(now - (n - i) * 7 * 60_000).toISOString();
    await api(server, 'POST', '/runs', { id, agent_id: AGENTS[i % AGENTS.length], source: i % 3 ? 'sdk' : 'otel', provider_type: i % 2 ? 'anthropic' : 'openai', model: i % 2 ? 'claude-sonnet-4' : 'gpt-4o', status: 'running', started_at: started, input_data: { task: `Task number ${i}`, priority: i % 3 } });
    const steps = Array.from({ length: 3 + (i % 5) }, (_, k) => ({
      step_index: k, kind: k % 2 ? 'tool' : 'llm', skill_name: ['search', 'read', 'write', 'plan', 'test'][k % 5], status: i % 5 === 1 && k === 2 ? 'failed' : 'success',
      duration_ms: 400 + ((i * 37 + k * 211) % 2600) + (k === 2 && i % 4 === 0 ? 9000 : 0), retry_count: k === 1 && i % 3 === 0 ? 3 : 0,
      input_tokens: 300 + k * 40, output_tokens: 120 + k * 10, started_at: new Date(Date.parse(started) + k * 4000).toISOString(),
    }));
    await api(server, 'POST', `/runs/${id}/steps`, { steps });
    if (i >= n - 3) continue; // the newest stay live
    if (i % 5 === 1) await api(server, 'POST', `/runs/${id}/fail`, { error: 'tool search timed out after 30 s', error_type: 'timeout', input_tokens: 1500, output_tokens: 300 });
    else if (i % 7 === 6) await api(server, 'POST', `/runs/${id}/cancel`, {});
    else await api(server, 'POST', `/runs/${id}/complete`, { input_tokens: 2000 + i * 100, output_tokens: 600 + i * 20, estimated_cost_usd: 0.02 + i * 0.011, output_data: { summary: `Done with task ${i}`, files_changed: i % 4 } });
  }
  return ids;
}

export async function seedSession(server: DashboardServer, sessionId = 'sess-7f3a'): Promise<void> {
  const base = Date.now() - 20 * 60_000;
  const at = (s: number) => new Date(base + s * 1000).toISOString();
  const hook = (body: Record<string, unknown>) => api(server, 'POST', '/hooks/claude-code', { session_id: sessionId, cwd: '/home/ada/src/runlog', transcript_path: '/tmp/t.jsonl', ...body });
  await hook({ hook_event_name: 'SessionStart', source: 'startup', runlog_observed_at: at(0) });
  await hook({ hook_event_name: 'UserPromptSubmit', prompt: 'Add a dark theme to the dashboard', runlog_observed_at: at(5) });
  const tools = [['Read', { file_path: 'src/styles.css' }, false], ['Edit', { file_path: 'src/styles.css' }, false], ['Bash', { command: 'npm test' }, true], ['Bash', { command: 'npm test' }, false]] as const;
  let t = 10;
  for (const [i, [tool, input, failed]] of tools.entries()) {
    await hook({ hook_event_name: 'PreToolUse', tool_name: tool, tool_use_id: `tu-${i}`, tool_input: input, runlog_observed_at: at(t) });
    t += 3 + i * 4;
    await hook({ hook_event_name: 'PostToolUse', tool_name: tool, tool_use_id: `tu-${i}`, tool_input: input, tool_response: failed ? { is_error: true, error: '2 tests failed' } : { success: true }, runlog_observed_at: at(t) });
    t += 2;
  }
  await hook({ hook_event_name: 'Stop', runlog_observed_at: at(t + 5) });
}

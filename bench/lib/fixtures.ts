/**
 * What the ingest benchmark sends. The HTTP client (in its worker) and the direct inserts
 * both build their rows from these, so the API path and the direct path store the same data.
 */

export const MODEL = 'claude-sonnet-4-5';
export const PROVIDER = 'anthropic';

/** POST /runs: an already running run of a known model, so completing it computes a cost. */
export function createRunBody(id: string) {
  return {
    id,
    work_unit_name: 'bench-agent',
    agent_id: 'bench-agent-1',
    source: 'bench',
    provider_type: PROVIDER,
    model: MODEL,
    status: 'running' as const,
  };
}

/** POST /runs/{id}/complete: usage with a cached part, priced from the default price table. */
export const COMPLETE_BODY = Object.freeze({
  input_tokens: 12_000,
  cache_read_tokens: 10_000,
  output_tokens: 800,
});

/** One trace step; alternating LLM and tool steps, as an agent loop produces them. */
export function step(index: number) {
  const llm = index % 2 === 0;
  return {
    step_index: index,
    kind: llm ? 'llm' : 'tool',
    skill_name: llm ? 'plan' : 'search',
    status: 'ok',
    model: llm ? MODEL : null,
    input_tokens: llm ? 1_000 + (index % 500) : null,
    output_tokens: llm ? 100 + (index % 50) : null,
    duration_ms: 50 + (index % 950),
  };
}
export type Step = ReturnType<typeof step>;

/** Step indexes [from, from + count) as one batch body. */
export function stepBatch(from: number, count: number): { steps: Step[] } {
  return { steps: Array.from({ length: count }, (_, i) => step(from + i)) };
}

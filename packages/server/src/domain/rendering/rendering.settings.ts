import { ConfigError } from '../../errors.ts';
import type { LlmSettings } from './llm/llm-client.ts';
import { RENDER_VERSION } from './rendering.types.ts';

/** How the render worker runs, and the LLM analyzer when one is configured (SPEC §6). */
export interface RenderingSettings {
  /** Render loops in this process; 0 leaves rendering to other processes (`runlog worker`). */
  workers: number;
  /** Activities claimed per pass. */
  batchSize: number;
  /** A PROCESSING row whose worker is silent this long is claimed again. */
  leaseMs: number;
  /** Attempts before an activity is FAILED; failures before that retry with backoff. */
  maxAttempts: number;
  /** First retry delay; doubles each attempt. */
  retryDelayMs: number;
  /** Idle check for work from other nodes (this node's writes wake the worker at once). */
  pollMs: number;
  /** LLM analyses in flight at once per process. */
  llmConcurrency: number;
  llm: LlmSettings | null;
  /** When the LLM keeps failing: complete with the built-in render, or mark the activity FAILED. */
  fallback: 'builtin' | 'fail';
  /** An activity whose shape this tenant has had rendered is stored COMPLETED by its own write; off: every payload is queued. */
  atWrite: boolean;
}

export const DEFAULT_RENDERING: RenderingSettings = Object.freeze({
  workers: 1,
  batchSize: 200,
  leaseMs: 60_000,
  maxAttempts: 3,
  retryDelayMs: 5_000,
  pollMs: 1_000,
  llmConcurrency: 4,
  llm: null,
  fallback: 'builtin',
  atWrite: true,
});

/** Which analyzer's renders a cache entry holds: renders of another model or version are not reused. */
export const analyzerKeyOf = (settings: Pick<RenderingSettings, 'llm'>) =>
  (settings.llm ? `llm:${settings.llm.model}:v${RENDER_VERSION}` : `builtin:v${RENDER_VERSION}`);

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function llmOf(env: Env): LlmSettings | null {
  const names = ['RUNLOG_LLM_BASE_URL', 'RUNLOG_LLM_API_KEY', 'RUNLOG_LLM_MODEL'] as const;
  const [base, apiKey, model] = names.map((n) => env[n]?.trim() || undefined);
  if (!base && !apiKey && !model) return null;
  const missing = names.find((n) => !env[n]?.trim());
  if (missing) throw new ConfigError(missing, 'must be set too: the LLM analyzer needs RUNLOG_LLM_BASE_URL, RUNLOG_LLM_API_KEY and RUNLOG_LLM_MODEL');
  let url: URL;
  try {
    url = new URL(base!);
  } catch {
    throw new ConfigError('RUNLOG_LLM_BASE_URL', `is not a URL: "${base}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('RUNLOG_LLM_BASE_URL', 'must start with http:// or https://');
  return {
    baseUrl: url.href.replace(/\/+$/, ''),
    apiKey: apiKey!,
    model: model!,
    timeoutMs: int(env, 'RUNLOG_LLM_TIMEOUT_MS', 20_000, 100, 600_000),
    maxRetries: int(env, 'RUNLOG_LLM_MAX_RETRIES', 4, 0, 20),
    backoffMs: 500,
    maxBackoffMs: int(env, 'RUNLOG_LLM_MAX_BACKOFF_MS', 30_000, 0, 600_000),
  };
}

/** Read by loadConfig (the one reader of the environment). */
export function loadRenderingSettings(env: Env): RenderingSettings {
  const fallback = (env.RUNLOG_LLM_FALLBACK?.trim() || 'builtin').toLowerCase();
  if (fallback !== 'builtin' && fallback !== 'fail') throw new ConfigError('RUNLOG_LLM_FALLBACK', `must be builtin or fail, got "${env.RUNLOG_LLM_FALLBACK}"`);
  const atWrite = (env.RUNLOG_RENDER_AT_WRITE?.trim() || 'on').toLowerCase();
  if (atWrite !== 'on' && atWrite !== 'off') throw new ConfigError('RUNLOG_RENDER_AT_WRITE', `must be on or off, got "${env.RUNLOG_RENDER_AT_WRITE}"`);
  return {
    workers: int(env, 'RUNLOG_RENDER_WORKERS', DEFAULT_RENDERING.workers, 0, 16),
    batchSize: int(env, 'RUNLOG_RENDER_BATCH', DEFAULT_RENDERING.batchSize, 1, 5_000),
    leaseMs: int(env, 'RUNLOG_RENDER_LEASE_MS', DEFAULT_RENDERING.leaseMs, 1_000, 3_600_000),
    maxAttempts: int(env, 'RUNLOG_RENDER_MAX_ATTEMPTS', DEFAULT_RENDERING.maxAttempts, 1, 20),
    retryDelayMs: int(env, 'RUNLOG_RENDER_RETRY_DELAY_MS', DEFAULT_RENDERING.retryDelayMs, 0, 3_600_000),
    pollMs: int(env, 'RUNLOG_RENDER_POLL_MS', DEFAULT_RENDERING.pollMs, 10, 60_000),
    llmConcurrency: int(env, 'RUNLOG_LLM_CONCURRENCY', DEFAULT_RENDERING.llmConcurrency, 1, 64),
    llm: llmOf(env),
    fallback,
    atWrite: atWrite === 'on',
  };
}

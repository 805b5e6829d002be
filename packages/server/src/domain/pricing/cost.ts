import type { PriceRow, Usage } from './pricing.types.ts';

/**
 * Cost in USD of one run's usage at one price.
 *
 * Token fields follow the OpenTelemetry GenAI convention: input_tokens counts every input
 * token (cache reads and writes included) and output_tokens every output token (reasoning
 * included). Each part is priced once at its own rate, so nothing is counted twice:
 *   plain input  = input - cache_read - cache_write   at input_per_mtok
 *   cache reads                                       at cache_read_per_mtok  (else input)
 *   cache writes                                      at cache_write_per_mtok (else input)
 *   plain output = output - reasoning                 at output_per_mtok
 *   reasoning                                         at reasoning_per_mtok   (else output)
 */
export function costOf(usage: Usage, price: PriceRow): number {
  const input = usage.input_tokens ?? 0;
  const cacheRead = usage.cache_read_tokens ?? 0;
  const cacheWrite = usage.cache_write_tokens ?? 0;
  const output = usage.output_tokens ?? 0;
  const reasoning = usage.reasoning_tokens ?? 0;
  const plainInput = Math.max(0, input - cacheRead - cacheWrite);
  const plainOutput = Math.max(0, output - reasoning);
  const micro =
    plainInput * price.input_per_mtok +
    cacheRead * (price.cache_read_per_mtok ?? price.input_per_mtok) +
    cacheWrite * (price.cache_write_per_mtok ?? price.input_per_mtok) +
    plainOutput * price.output_per_mtok +
    reasoning * (price.reasoning_per_mtok ?? price.output_per_mtok);
  // numeric(18,8) holds 8 decimals; round there so the stored value equals the returned one.
  return Math.round(micro / 1e6 * 1e8) / 1e8;
}

export function hasUsage(usage: Usage): boolean {
  return [usage.input_tokens, usage.output_tokens, usage.cache_read_tokens, usage.cache_write_tokens, usage.reasoning_tokens]
    .some((n) => n !== null && n !== undefined);
}

/** Parts must fit inside their totals, or the cost would count them twice. */
export function usageProblem(usage: Usage): { field: string; message: string } | null {
  const cached = (usage.cache_read_tokens ?? 0) + (usage.cache_write_tokens ?? 0);
  if (usage.input_tokens !== null && cached > usage.input_tokens) {
    return { field: 'cache_read_tokens', message: 'plus cache_write_tokens must not exceed input_tokens (input_tokens counts cached tokens too)' };
  }
  if (usage.output_tokens !== null && (usage.reasoning_tokens ?? 0) > usage.output_tokens) {
    return { field: 'reasoning_tokens', message: 'must not exceed output_tokens (output_tokens counts reasoning tokens too)' };
  }
  return null;
}

const PROVIDER_ALIASES: Record<string, string> = {
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  gemini: 'google',
  vertex_ai: 'google',
  'azure.ai.openai': 'openai',
  azure_openai: 'openai',
  'aws.bedrock': 'anthropic',
};

export function normalizeProvider(provider: string | null): string | null {
  if (!provider) return null;
  const lower = provider.trim().toLowerCase();
  return PROVIDER_ALIASES[lower] ?? lower;
}

/** `%` and `_` are the only wildcards, as in SQL LIKE. */
export function likeToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

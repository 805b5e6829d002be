import { isRetriableStatus, parseRetryAfter } from './retry.js';
import type { ItemResult } from './wire.js';

export type SendOutcome =
  | { kind: 'ok'; results: ItemResult[] }
  | { kind: 'retry'; reason: string; status?: number; retryAfterMs?: number }
  | { kind: 'too-large' }
  | { kind: 'reject'; status: number; code?: string; message: string };

export interface Transport {
  endpoint: string;
  apiKey: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return [e?.name === 'TimeoutError' ? 'request timed out' : e?.message ?? String(err), cause].filter(Boolean).join(': ');
}

function parseResults(text: string, expected: number): ItemResult[] | undefined {
  try {
    const body = JSON.parse(text) as { results?: unknown };
    if (Array.isArray(body.results) && body.results.length === expected) return body.results as ItemResult[];
  } catch {
    // handled below
  }
  return undefined;
}

/** One POST of a batch; every failure becomes an outcome, nothing throws. */
export async function postBatch(t: Transport, body: string, itemCount: number): Promise<SendOutcome> {
  let res: Response;
  let text: string;
  try {
    res = await t.fetch(t.endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(t.timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    return { kind: 'retry', reason: describe(err) };
  }
  if (res.ok) {
    const results = parseResults(text, itemCount);
    // A 2xx without our results came from something in between (a proxy page); try again.
    return results ? { kind: 'ok', results } : { kind: 'retry', status: res.status, reason: 'unexpected response body' };
  }
  if (isRetriableStatus(res.status)) {
    return { kind: 'retry', status: res.status, reason: `HTTP ${res.status}`, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
  }
  if (res.status === 413) return { kind: 'too-large' };
  let code: string | undefined;
  let message = `HTTP ${res.status}`;
  try {
    const err = JSON.parse(text) as { error?: string; message?: string };
    code = err.error;
    if (err.message) message = `HTTP ${res.status}: ${err.message}`;
  } catch {
    // not JSON: keep the status line
  }
  return { kind: 'reject', status: res.status, code, message };
}

/**
 * A minimal OpenAI-compatible chat/completions client for one forced tool call. Bounded in
 * time: each request has a timeout, 429 and 5xx (and network errors) are retried a bounded
 * number of times with exponential backoff that honours Retry-After.
 */

export interface LlmSettings {
  /** e.g. https://api.example.com/v1 (no trailing slash). */
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs: number;
  /** Retries after the first attempt, for 429, 5xx, timeouts and network errors. */
  maxRetries: number;
  /** First backoff; doubles each retry. */
  backoffMs: number;
  /** Cap on any single wait, Retry-After included. */
  maxBackoffMs: number;
}

/** The service could not answer (after retries): the fallback policy applies. */
export class LlmUnavailableError extends Error {
  constructor(message: string, readonly status: number | null) {
    super(message);
  }
}

/** The service answered, but not with a usable tool call: the built-in analyzer answers. */
export class LlmInvalidAnswerError extends Error {}

export interface ToolCallRequest {
  messages: Array<{ role: 'system' | 'user'; content: string }>;
  tool: { name: string; description: string; parameters: Record<string, unknown> };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LlmUnavailableError('stopped', null));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LlmUnavailableError('stopped', null));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function backoff(settings: LlmSettings, attempt: number, retryAfter: number | null): number {
  const exponential = settings.backoffMs * 2 ** attempt;
  const jittered = exponential / 2 + Math.random() * (exponential / 2);
  return Math.min(settings.maxBackoffMs, retryAfter ?? jittered);
}

/** The tool call's arguments, parsed; throws LlmInvalidAnswerError when there is none. */
function toolArguments(body: unknown, toolName: string): unknown {
  const message = (body as { choices?: Array<{ message?: Record<string, unknown> }> })?.choices?.[0]?.message;
  const calls = message?.tool_calls as Array<{ function?: { name?: string; arguments?: unknown } }> | undefined;
  const call = calls?.find((c) => c.function?.name === toolName) ?? calls?.[0];
  const raw = call?.function?.arguments;
  if (raw === undefined) throw new LlmInvalidAnswerError(`the answer holds no ${toolName} tool call`);
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new LlmInvalidAnswerError(`the ${toolName} arguments are not JSON`);
  }
}

async function attempt(settings: LlmSettings, body: string, signal?: AbortSignal): Promise<Response> {
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  return fetch(`${settings.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${settings.apiKey}` },
    body,
    signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
  });
}

/** One forced tool call; returns its arguments. */
export async function callTool(settings: LlmSettings, request: ToolCallRequest, signal?: AbortSignal): Promise<unknown> {
  const body = JSON.stringify({
    model: settings.model,
    temperature: 0,
    messages: request.messages,
    tools: [{ type: 'function', function: request.tool }],
    tool_choice: { type: 'function', function: { name: request.tool.name } },
  });
  let last = 'no attempt made';
  let lastStatus: number | null = null;
  for (let n = 0; n <= settings.maxRetries; n++) {
    let retryAfter: number | null = null;
    try {
      const res = await attempt(settings, body, signal);
      if (res.ok) {
        let parsed: unknown;
        try {
          parsed = await res.json();
        } catch {
          throw new LlmInvalidAnswerError('the answer is not JSON');
        }
        return toolArguments(parsed, request.tool.name);
      }
      lastStatus = res.status;
      last = `the LLM service answered ${res.status}`;
      await res.body?.cancel().catch(() => {});
      if (res.status !== 429 && res.status < 500) throw new LlmUnavailableError(last, res.status);
      retryAfter = retryAfterMs(res.headers.get('retry-after'));
    } catch (err) {
      if (err instanceof LlmInvalidAnswerError || err instanceof LlmUnavailableError) throw err;
      if (signal?.aborted) throw new LlmUnavailableError('stopped', null);
      const name = (err as Error).name;
      last = name === 'TimeoutError' ? `the LLM service did not answer within ${settings.timeoutMs} ms` : `the LLM service is unreachable (${(err as Error).message})`;
      lastStatus = null;
    }
    if (n < settings.maxRetries) await sleep(backoff(settings, n, retryAfter), signal);
  }
  throw new LlmUnavailableError(`${last} (${settings.maxRetries + 1} attempts)`, lastStatus);
}

import { homedir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { boundJson } from '../ingest/claude-code/bounded-json.ts';
import { postJson, type PostError } from './hook-http.ts';
import { HelpRequested, parseCommand, type CommandSpec } from './spec.ts';
import { appendToSpool, claimSpool, releaseClaim, type Claim } from './hook-spool.ts';

/**
 * `runlog hook`: a Claude Code command hook. Reads one hook payload from stdin, stamps when
 * the hook fired, and posts it to the server; when the server cannot take it, appends it to a
 * local spool that the next successful call delivers first (oldest first).
 *
 * It runs on a developer's machine on every tool call, so it never blocks the assistant: it
 * always exits 0, prints nothing on stdout (Claude Code would read it as hook output), and
 * gives up at a hard deadline, spooling whatever it has not delivered. It reads its own
 * settings (flags, then RUNLOG_URL / RUNLOG_API_KEY / RUNLOG_SPOOL / RUNLOG_HOOK_TIMEOUT_MS),
 * never the server's config, and never opens a database.
 */

export const HOOK_SPEC: CommandSpec = {
  name: 'hook',
  about: 'sends the coding-assistant hook payload on stdin to the server; spools it when the server cannot take it',
  usage: ['hook [--url <url>] [--key <key>] [--spool <file>] [--timeout <ms>]   < payload.json'],
  flags: {
    url: { type: 'string', value: '<url>', env: 'RUNLOG_URL', about: 'the server, e.g. http://127.0.0.1:3001' },
    key: { type: 'string', value: '<key>', env: 'RUNLOG_API_KEY', about: 'an API key with the ingest scope' },
    spool: { type: 'string', value: '<file>', env: 'RUNLOG_SPOOL', default: '~/.runlog/spool.ndjson', about: 'where payloads wait while the server is unreachable' },
    timeout: { type: 'string', value: '<ms>', env: 'RUNLOG_HOOK_TIMEOUT_MS', default: '3000', about: 'the hook gives up after this long, counted from its start' },
  },
  settings: [],
  notes: [
    'It always exits 0 and prints nothing on stdout, even on a bad flag (warned on stderr):',
    'a coding assistant reads a hook\'s exit code 2 as "block this tool call".',
  ],
};

const DEFAULT_TIMEOUT_MS = 3_000;
/** Work time left after a slow start, so a payload read is always spooled at least. */
const MIN_WORK_MS = 1_000;
/** Time kept back at the deadline to put undelivered lines back. */
const SETTLE_MARGIN_MS = 100;
const MIN_REQUEST_MS = 100;
const STDIN_LIMIT_BYTES = 16 * 1024 * 1024;
/** Bigger payloads (a Read of a large file) have their long strings cut; the server keeps only previews anyway. */
const COMPACT_ABOVE_BYTES = 256 * 1024;
const COMPACT_BOUNDS = { maxString: 16 * 1024, maxItems: 1000, maxKeys: 1000, maxDepth: 32 };
/** Answers about the key or the URL, not the line: keep every line until the setting is fixed. */
const SETTING_PROBLEMS = new Set([401, 403, 404, 405]);

type Outcome = 'delivered' | 'dropped' | 'later';

function warn(message: string): void {
  process.stderr.write(`runlog hook: ${message}\n`);
}

/** `http://host:3001`, `…/api/v1` or the full hook URL all work. */
export function hookEndpoint(url: string): string {
  const base = url.trim().replace(/\/+$/, '');
  new URL(base); // throws on a malformed URL
  if (/\/hooks\/claude-code$/.test(base)) return base;
  if (/\/api\/v1$/.test(base)) return `${base}/hooks/claude-code`;
  return `${base}/api/v1/hooks/claude-code`;
}

interface Settings {
  endpoint: string | null;
  key: string | null;
  spool: string;
  timeoutMs: number;
}

function settings(argv: string[], env: NodeJS.ProcessEnv): Settings {
  let values: Partial<Record<'url' | 'key' | 'spool' | 'timeout', string>> = {};
  try {
    values = parseCommand(HOOK_SPEC, argv, { maxPositionals: 0 }).values as typeof values;
  } catch (err) {
    if (err instanceof HelpRequested) throw err;
    warn(`${(err as Error).message} (the flags are ignored)`);
  }
  const url = values.url ?? env.RUNLOG_URL;
  let endpoint: string | null = null;
  try {
    endpoint = url ? hookEndpoint(url) : null;
  } catch {
    warn(`"${url}" is not a URL; the payload is spooled`);
  }
  const timeout = Number(values.timeout ?? env.RUNLOG_HOOK_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS);
  return {
    endpoint,
    key: values.key ?? env.RUNLOG_API_KEY ?? null,
    spool: path.resolve(values.spool ?? env.RUNLOG_SPOOL ?? path.join(homedir(), '.runlog', 'spool.ndjson')),
    timeoutMs: Number.isFinite(timeout) ? Math.min(Math.max(timeout, 200), 60_000) : DEFAULT_TIMEOUT_MS,
  };
}

async function readStdin(): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= STDIN_LIMIT_BYTES) chunks.push(chunk); // past the limit: keep draining, Claude Code is writing
  }
  if (size > STDIN_LIMIT_BYTES) {
    warn(`the payload exceeds ${STDIN_LIMIT_BYTES} bytes; dropped`);
    return null;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The payload as one spool/send line, stamped with when the hook fired; null when stdin is no JSON object. */
function toLine(raw: string, firedAt: Date): string | null {
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    payload = undefined;
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    if (raw.trim() !== '') warn('stdin is not a JSON object; ignored');
    return null;
  }
  let stamped: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
  stamped.runlog_observed_at ??= firedAt.toISOString();
  if (raw.length > COMPACT_ABOVE_BYTES) stamped = boundJson(stamped, COMPACT_BOUNDS) as Record<string, unknown>;
  return `${JSON.stringify(stamped)}\n`;
}

async function send(endpoint: string, key: string, line: string, timeoutMs: number): Promise<Outcome> {
  let status: number;
  let body = '';
  try {
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', prefer: 'return=minimal', 'user-agent': 'runlog-hook' };
    ({ status, body } = await postJson(endpoint, headers, line, timeoutMs));
  } catch (err) {
    const failure = err as PostError;
    warn(`server unreachable (${failure.timedOut ? 'no answer in time' : failure.code ?? failure.message}); spooled`);
    return 'later';
  }
  if (status >= 200 && status < 300) return 'delivered';
  let message = body.slice(0, 300);
  try {
    message = (JSON.parse(body) as { message?: string }).message ?? message;
  } catch {
    // not JSON: keep the text
  }
  if (status === 408 || status === 429 || status >= 500) {
    warn(`server answered ${status}; spooled`);
    return 'later';
  }
  if (SETTING_PROBLEMS.has(status)) {
    warn(`server answered ${status} (${message}); check RUNLOG_URL and RUNLOG_API_KEY; spooled`);
    return 'later';
  }
  warn(`server refused a payload with ${status} (${message}); dropped`);
  return 'dropped';
}

export async function hookCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const firedAt = new Date(performance.timeOrigin);
  const config = settings(argv, env);
  // The deadline counts from the process start (Node start-up included).
  const deadline = Date.now() + Math.round(Math.max(config.timeoutMs - performance.now(), MIN_WORK_MS));

  // Lines not yet delivered, oldest first; whatever is left here at the end goes (back) to the spool.
  const pending: string[] = [];
  let claim: Claim | null = null;
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    try {
      if (appendToSpool(config.spool, pending)) {
        if (claim) releaseClaim(claim);
      } else {
        // Claimed lines stay in their claim file (adopted by a later call); only this payload is lost.
        warn(`the spool ${config.spool} is full; this payload is dropped`);
      }
    } catch (err) {
      warn(`cannot write the spool ${config.spool}: ${(err as Error).message}`);
    }
  };
  // Hard deadline: put back what is undelivered (the request in flight too: a resend is recognised) and leave.
  const timer = setTimeout(() => {
    settle();
    process.exit(0);
  }, deadline - Date.now());
  timer.unref();

  try {
    const raw = await readStdin();
    const line = raw === null ? null : toLine(raw, firedAt);
    if (line === null) return 0;
    if (!config.endpoint || !config.key) {
      if (!config.endpoint) warn('no server URL (RUNLOG_URL or --url); spooled');
      else warn('no API key (RUNLOG_API_KEY or --key); spooled');
      pending.push(line);
      return 0;
    }
    claim = claimSpool(config.spool);
    if (claim.unreadable > 0) warn(`${claim.unreadable} unreadable spool line(s) dropped`);
    pending.push(...claim.lines, line);
    while (pending.length > 0) {
      const left = deadline - Date.now() - SETTLE_MARGIN_MS;
      if (left < MIN_REQUEST_MS) break;
      const outcome = await send(config.endpoint, config.key, pending[0]!, left);
      if (outcome === 'later') break;
      pending.shift();
    }
    return 0;
  } catch (err) {
    warn((err as Error).message);
    return 0;
  } finally {
    settle();
  }
}

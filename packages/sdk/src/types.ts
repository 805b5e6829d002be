/** Public option and record types. camelCase here; the wire (snake_case) lives in wire.ts. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface RunlogOptions {
  /** Base URL of the Runlog server, e.g. http://127.0.0.1:3001 (default: RUNLOG_URL). */
  url?: string;
  /** An API key with the ingest scope (default: RUNLOG_API_KEY). */
  apiKey?: string;
  /** How often queued items are sent, in ms (default 1000). */
  flushIntervalMs?: number;
  /** Most records held in memory; beyond it the oldest are dropped (default 10,000). */
  maxQueueSize?: number;
  /** Most items in one /ingest request, at most 1,000 (default 500). */
  maxBatchSize?: number;
  /** Most bytes of JSON in one request (default 1 MiB; the server takes 5 MiB by default). */
  maxBatchBytes?: number;
  /** Timeout of one request, in ms (default 10,000). */
  requestTimeoutMs?: number;
  /** First retry delay, in ms; doubles each attempt, with jitter (default 500). */
  retryBaseMs?: number;
  /** Longest retry delay, in ms (default 30,000); a server's Retry-After is honoured up to 10 minutes. */
  retryMaxMs?: number;
  /** How long flush() waits by default, in ms (default 10,000). */
  flushTimeoutMs?: number;
  /** How long shutdown() and the flush at process exit wait, in ms (default 5,000). */
  shutdownTimeoutMs?: number;
  /** A live run with nothing sent for this long gets a heartbeat, in ms (default 60,000; 0: never). */
  heartbeatIntervalMs?: number;
  /** Flush before the process exits (beforeExit, SIGTERM) (default true). */
  flushOnExit?: boolean;
  /** Called when items are rejected or dropped; never called for a retry that may still succeed. */
  onError?: (error: RunlogDeliveryError) => void;
  /** The fetch to use (default: the global fetch). */
  fetch?: typeof fetch;
}

export interface RunOptions {
  /** Client-chosen run id (default: a random UUID); makes the run idempotent. */
  id?: string;
  externalId?: string;
  workUnitName?: string;
  workUnitId?: string;
  workUnitType?: 'atomic' | 'composite';
  agentId?: string;
  projectId?: string;
  userId?: string;
  userName?: string;
  /** Where the run comes from (default "sdk"). */
  source?: string;
  providerType?: string;
  model?: string;
  sessionId?: string;
  traceId?: string;
  isSynthetic?: boolean;
  input?: unknown;
  metadata?: Record<string, unknown>;
  /** When the run started (default: now). */
  startedAt?: Date | string;
}

export interface StepOptions {
  /** Position in the run (default: the next one); a repeated index is ignored by the server. */
  stepIndex?: number;
  kind?: 'llm' | 'tool' | 'agent' | 'other';
  skillId?: string;
  skillName?: string;
  status?: string;
  outcomeCategory?: string;
  outcomeCode?: string;
  model?: string;
  /** Model provider; becomes the run's provider when the run did not name one. */
  providerType?: string;
  inputTokens?: number;
  outputTokens?: number;
  /** Summed onto the run (cached input is part of inputTokens). */
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** Summed onto the run (part of outputTokens). */
  reasoningTokens?: number;
  costCents?: number;
  durationMs?: number;
  retryCount?: number;
  /** When the step started (default: now minus durationMs, else now). */
  startedAt?: Date | string;
}

/** Values for a run's end; token counts given here replace the sums of its steps. */
export interface RunEndValues {
  model?: string;
  providerType?: string;
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
  estimatedCostUsd?: number;
  policyViolation?: boolean;
  incidentCount?: number;
}

export interface ActivityOptions {
  /** Client activity id (default: a random UUID); makes the activity idempotent. */
  id?: string;
  type?: string;
  actionName: string;
  actionDescription?: string;
  targetName?: string;
  status?: string;
  durationMs?: number;
  isAutomated?: boolean;
  priority?: number;
  /** Where it comes from (default "sdk"). */
  source?: string;
  userId?: string;
  projectId?: string;
  workspaceId?: string;
  sessionId?: string;
  runId?: string;
  workUnitId?: string;
  data?: Record<string, unknown>;
  dataSchema?: Record<string, unknown>;
  /** When it happened (default: now). */
  occurredAt?: Date | string;
}

export interface RunlogStats {
  /** Records (runs' transitions, steps, activities) held in memory, in flight included. */
  queued: number;
  /** Records the server accepted. */
  sent: number;
  /** Records given up without an answer: queue full, or still queued at shutdown. */
  dropped: number;
  /** Requests sent again after a network error, 5xx or 429. */
  retries: number;
  /** Records the server refused (a 4xx for the item or the whole request); never retried. */
  rejected: number;
}

export type DeliveryReason = 'rejected' | 'dropped' | 'unserializable';

/** What onError receives: an item the server refused, or records given up. */
export class RunlogDeliveryError extends Error {
  override readonly name = 'RunlogDeliveryError';
  constructor(
    message: string,
    readonly reason: DeliveryReason,
    readonly details: { status?: number; code?: string; itemType?: string; itemId?: string; count?: number } = {},
  ) {
    super(message);
  }
}

import type { RunlogDeliveryError, RunlogOptions } from './types.js';
import { MAX_BATCH_ITEMS } from './wire.js';

export interface Config {
  endpoint: string;
  apiKey: string;
  flushIntervalMs: number;
  maxQueueSize: number;
  maxBatchSize: number;
  maxBatchBytes: number;
  requestTimeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  flushTimeoutMs: number;
  shutdownTimeoutMs: number;
  heartbeatIntervalMs: number;
  flushOnExit: boolean;
  onError?: (error: RunlogDeliveryError) => void;
  fetch: typeof fetch;
}

function count(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`Runlog: ${name} must be a number ≥ ${min} (got ${String(value)})`);
  }
  return Math.floor(value);
}

/** The /ingest URL of a server: accepts the server's base URL, with or without /api/v1. */
function ingestEndpoint(url: string): string {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new TypeError(`Runlog: url must be an absolute http(s) URL (got ${JSON.stringify(url)})`);
  }
  const path = base.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${base.origin}${path}/api/v1/ingest`;
}

/**
 * Options with their defaults. A missing URL or key or a nonsensical number is a programming
 * error and throws here, at construction; nothing later throws into the caller.
 */
export function resolveConfig(o: RunlogOptions): Config {
  const url = o.url ?? process.env.RUNLOG_URL;
  const apiKey = o.apiKey ?? process.env.RUNLOG_API_KEY;
  if (!url) throw new TypeError('Runlog: url is required (or set RUNLOG_URL)');
  if (!apiKey) throw new TypeError('Runlog: apiKey is required (or set RUNLOG_API_KEY)');
  const fetchImpl = o.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new TypeError('Runlog: no fetch available (Node ≥ 20 has one)');
  return {
    endpoint: ingestEndpoint(url),
    apiKey,
    flushIntervalMs: count('flushIntervalMs', o.flushIntervalMs, 1000, 1),
    maxQueueSize: count('maxQueueSize', o.maxQueueSize, 10_000, 1),
    maxBatchSize: Math.min(MAX_BATCH_ITEMS, count('maxBatchSize', o.maxBatchSize, 500, 1)),
    maxBatchBytes: count('maxBatchBytes', o.maxBatchBytes, 1024 * 1024, 1024),
    requestTimeoutMs: count('requestTimeoutMs', o.requestTimeoutMs, 10_000, 1),
    retryBaseMs: count('retryBaseMs', o.retryBaseMs, 500, 1),
    retryMaxMs: count('retryMaxMs', o.retryMaxMs, 30_000, 1),
    flushTimeoutMs: count('flushTimeoutMs', o.flushTimeoutMs, 10_000, 0),
    shutdownTimeoutMs: count('shutdownTimeoutMs', o.shutdownTimeoutMs, 5_000, 0),
    heartbeatIntervalMs: count('heartbeatIntervalMs', o.heartbeatIntervalMs, 60_000, 0),
    flushOnExit: o.flushOnExit ?? true,
    onError: o.onError,
    fetch: fetchImpl,
  };
}

import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Database } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AuthContext } from '../domain/auth/auth.types.ts';
import { getWorkUnit } from '../domain/registry/registry.repository.ts';
import type { WebhookExecutor } from '../domain/registry/registry.types.ts';
import { getRun } from '../domain/runs/runs.repository.ts';
import type { RunsService } from '../domain/runs/runs.service.ts';
import type { RunRow } from '../domain/runs/runs.types.ts';
import type { JobHandler } from './job-queue.ts';
import type { QUEUES } from './queues.ts';

/** An executor that has not answered by then is retried (well inside the queue's expireInSeconds). */
export const DISPATCH_TIMEOUT_MS = 10_000;
export const SIGNATURE_HEADER = 'x-runlog-signature';
export const TIMESTAMP_HEADER = 'x-runlog-timestamp';
/** The error_type of a run whose dispatch never reached its executor. */
export const DISPATCH_FAILED = 'dispatch_failed';

/**
 * `sha256=<hex>` of HMAC-SHA256 over `${timestamp}.${body}`: signing the timestamp with the
 * body lets an executor refuse an old request replayed later.
 */
export function signDispatch(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What the executor receives: the run, its input, and where to report back (all POST, with an ingest key). */
export function dispatchBody(run: RunRow, workUnitId: string, apiUrl: string): string {
  const base = `${apiUrl}/runs/${encodeURIComponent(run.id)}`;
  return JSON.stringify({
    run_id: run.id,
    work_unit_id: workUnitId,
    input: run.input_data ?? null,
    callback: {
      base_url: base,
      start: `${base}/start`,
      heartbeat: `${base}/heartbeat`,
      steps: `${base}/steps`,
      complete: `${base}/complete`,
      fail: `${base}/fail`,
    },
  });
}

/** The URL the server answers on, for an app given no public URL (tests, embedding). */
export function listeningUrl(address: AddressInfo | string | null): string {
  if (!address || typeof address === 'string') throw new Error('the server is not listening on TCP and no public URL is configured');
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

function reasonOf(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

/**
 * One POST of the signed body. Redirects are not followed: a signed request never goes to a
 * host other than the one registered, and a 3xx counts as a failed delivery.
 */
async function deliver(executor: WebhookExecutor, body: string, timeoutMs: number): Promise<void> {
  const timestamp = String(Date.now());
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'runlog-dispatch', [TIMESTAMP_HEADER]: timestamp };
  if (executor.secret) headers[SIGNATURE_HEADER] = signDispatch(executor.secret, timestamp, body);
  let res: Response;
  try {
    res = await fetch(executor.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new Error(`the executor could not be reached: ${reasonOf(err, timeoutMs)}`, { cause: err });
  }
  // The answer's body is not read: the executor reports through the run API.
  await res.body?.cancel().catch(() => {});
  if (!res.ok) throw new Error(`the executor answered ${res.status}`);
}

export interface DispatchRunDeps {
  db: Database;
  runs: Pick<RunsService, 'transition'>;
  logger: Logger;
  /** The public base of the API (`…/api/v1`) the executor reports back to. */
  apiUrl: () => string;
  timeoutMs?: number;
}

/**
 * work-units.dispatch-run: POSTs a pending run to its unit's webhook. A failed delivery throws,
 * so pg-boss retries it with backoff; the last failed attempt fails the run, which would
 * otherwise wait for an executor that never heard of it.
 */
export function dispatchRunJob({ db, runs, logger, apiUrl, timeoutMs = DISPATCH_TIMEOUT_MS }: DispatchRunDeps): JobHandler<typeof QUEUES.dispatchRun> {
  async function failRun(tenantId: string, runId: string, error: string): Promise<void> {
    // The executor may have started the run after all (an answer lost to a timeout): leave it be.
    if ((await getRun(db, tenantId, runId))?.status !== 'pending') return;
    const system: AuthContext = { tenantId, keyId: 'system:dispatch', scopes: [], userId: null, projectId: null };
    try {
      await runs.transition(system, runId, 'fail', { error, error_type: DISPATCH_FAILED });
    } catch (err) {
      // Ended or deleted meanwhile: nothing left to fail.
      if (!(err instanceof AppError)) throw err;
    }
  }

  return async ({ tenant_id, run_id, work_unit_id }, job) => {
    const run = await getRun(db, tenant_id, run_id);
    // Already started or ended (the executor reported back; a retry of a delivery that did arrive).
    if (!run || run.status !== 'pending') return;
    const executor = (await getWorkUnit(db, tenant_id, work_unit_id))?.executor;
    if (!executor) {
      await failRun(tenant_id, run_id, `work unit ${work_unit_id} has no executor any more`);
      return;
    }
    try {
      await deliver(executor, dispatchBody(run, work_unit_id, apiUrl()), timeoutMs);
    } catch (err) {
      if (job.retryCount >= job.retryLimit) {
        logger.warn({ run_id, work_unit_id, attempts: job.retryCount + 1 }, 'dispatch failed for good; failing the run');
        await failRun(tenant_id, run_id, `dispatch failed after ${job.retryCount + 1} attempts: ${(err as Error).message}`);
      }
      throw err;
    }
  };
}

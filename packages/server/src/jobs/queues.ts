/**
 * Every background job: its queue name, its payload and its retry policy, in one place
 * (SPEC §1: pg-boss on the same database). Handlers live one per file beside this one.
 */
export const QUEUES = Object.freeze({
  /** Marks live runs STALLED and refreshes their live risk (SPEC §3); scheduled every minute. */
  markStalled: 'runs.mark-stalled',
  /** POSTs a work unit's run to its webhook executor (SPEC §4 "Registry"). */
  dispatchRun: 'work-units.dispatch-run',
  /** Deletes runs, steps and activities past their project's retention_days; scheduled daily. */
  pruneExpired: 'retention.prune',
} as const);

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobPayloads {
  [QUEUES.markStalled]: Record<string, never>;
  [QUEUES.dispatchRun]: { tenant_id: string; run_id: string; work_unit_id: string };
  [QUEUES.pruneExpired]: Record<string, never>;
}

/** pg-boss queue options; retries back off exponentially from retryDelay seconds. */
export const QUEUE_OPTIONS: Record<QueueName, { retryLimit: number; retryDelay: number; retryBackoff: boolean; expireInSeconds: number }> = {
  [QUEUES.markStalled]: { retryLimit: 0, retryDelay: 0, retryBackoff: false, expireInSeconds: 300 },
  [QUEUES.dispatchRun]: { retryLimit: 8, retryDelay: 2, retryBackoff: true, expireInSeconds: 60 },
  [QUEUES.pruneExpired]: { retryLimit: 2, retryDelay: 600, retryBackoff: false, expireInSeconds: 3_600 },
};

/** Cron schedules (pg-boss evaluates them on the database clock, once across all nodes). */
export const SCHEDULES: Partial<Record<QueueName, string>> = {
  [QUEUES.markStalled]: '* * * * *',
  [QUEUES.pruneExpired]: '17 3 * * *',
};

import PgBoss from 'pg-boss';
import type { Database, Queryable } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { QUEUE_OPTIONS, QUEUES, SCHEDULES, type JobPayloads, type QueueName } from './queues.ts';

export interface JobQueueOptions {
  db: Database;
  logger: Logger;
  /** pg-boss keeps its tables in a schema of their own beside Runlog's. */
  schema: string;
  /** How often an idle worker looks for work, in seconds (pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  /** Retry policy overrides of QUEUE_OPTIONS, applied when a queue is created (tests use short ones). */
  queueOptions?: Partial<Record<QueueName, Partial<QueuePolicy>>>;
  /**
   * Whether this process keeps the queue running (maintenance, cron schedules): true where jobs
   * are worked. A web process that leaves jobs to `runlog worker` only enqueues.
   */
  background?: boolean;
}

export type QueuePolicy = (typeof QUEUE_OPTIONS)[QueueName];

/** retryCount counts the retries before this attempt; the last attempt has retryCount === retryLimit. */
export type JobHandler<Q extends QueueName> = (data: JobPayloads[Q], job: { id: string; retryCount: number; retryLimit: number }) => Promise<void>;

/** The job queue's schema beside Runlog's own (PostgreSQL names are at most 63 bytes). */
export function jobsSchemaFor(schema: string): string {
  return schema === 'public' ? 'runlog_jobs' : `${schema.slice(0, 58)}_jobs`;
}

/** Several statements in one string (pg-boss's install and its locked maintenance blocks). */
function isScript(text: string): boolean {
  return /;\s*\S/.test(text.trim().replace(/;\s*$/, ''));
}

/**
 * pg-boss's `executeSql` over one of our handles. Both adapters run one parameterised
 * statement per query; pg-boss's scripts (BEGIN … COMMIT in one string) go through exec,
 * which runs them whole: on PGlite as one message to the worker, so nothing interleaves.
 */
function executor(handle: Queryable) {
  return {
    async executeSql(text: string, values?: unknown[]) {
      if ((!values || values.length === 0) && isScript(text)) {
        await handle.exec(text);
        return { rows: [], rowCount: 0 };
      }
      return handle.query(text, values);
    },
  };
}

/**
 * The job queue (SPEC §1): pg-boss on Runlog's own database, on PGlite through the worker
 * adapter. `sendInTx` enqueues inside the caller's transaction, so a write and the job that
 * belongs to it commit or roll back together.
 */
export function createJobQueue({ db, logger, schema, pollingIntervalSeconds = 1, queueOptions = {}, background = true }: JobQueueOptions) {
  const boss = new PgBoss({
    db: executor(db),
    schema,
    // Jobs here are small and frequent; pg-boss's defaults keep completed ones for days.
    deleteAfterDays: 2,
    archiveCompletedAfterSeconds: 3_600,
    maintenanceIntervalSeconds: 120,
    supervise: background,
    schedule: background,
  } as PgBoss.ConstructorOptions);
  boss.on('error', (err: Error) => logger.error({ err }, 'job queue error'));
  let started = false;
  // Set once start() is called: an enqueue waits for it, since a new database gets the queue's tables then.
  let starting: Promise<void> | null = null;
  const whenStarted = () => starting?.catch(() => {});

  return {
    start(): Promise<void> {
      return (starting ??= (async () => {
        await boss.start();
        for (const name of Object.values(QUEUES)) {
          if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, ...QUEUE_OPTIONS[name], ...queueOptions[name] });
        }
        if (background) for (const [name, cron] of Object.entries(SCHEDULES)) await boss.schedule(name, cron);
        started = true;
      })());
    },

    async stop(): Promise<void> {
      await whenStarted();
      starting = null;
      if (!started) return;
      started = false;
      await boss.stop({ graceful: true, timeout: 5_000, close: false });
    },

    /** Enqueues in the transaction `tx` belongs to. */
    async sendInTx<Q extends QueueName>(tx: Queryable, name: Q, data: JobPayloads[Q], options: { startAfter?: number } = {}): Promise<string | null> {
      await whenStarted();
      return boss.send(name, data as object, { ...options, db: executor(tx) });
    },

    async send<Q extends QueueName>(name: Q, data: JobPayloads[Q]): Promise<string | null> {
      await whenStarted();
      return boss.send(name, data as object);
    },

    /** One job at a time per queue; a handler that throws fails the job, which pg-boss retries. */
    async work<Q extends QueueName>(name: Q, handler: JobHandler<Q>): Promise<void> {
      await boss.work<JobPayloads[Q]>(name, { batchSize: 1, pollingIntervalSeconds, includeMetadata: true }, async ([job]) => {
        if (!job) return;
        try {
          await handler(job.data, { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
        } catch (err) {
          logger.warn({ err, queue: name, job: job.id }, 'job failed; pg-boss retries it if it has retries left');
          throw err;
        }
      });
    },

    /** The cron schedules in force (name and cron). */
    async schedules(): Promise<{ name: string; cron: string }[]> {
      return (await boss.getSchedules()).map(({ name, cron }) => ({ name, cron }));
    },

    /** A job's state, for tests and the API (created, retry, active, completed, failed…). */
    async getJob(name: QueueName, id: string) {
      return boss.getJobById(name, id, { includeArchive: true });
    },
  };
}

export type JobQueue = ReturnType<typeof createJobQueue>;

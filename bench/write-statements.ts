import { buildApp } from '../packages/server/src/app.ts';
import type { Queryable } from '../packages/server/src/db/database.ts';
import { appendActivities } from '../packages/server/src/domain/activities/activities.repository.ts';
import { insertRuns, lockRuns } from '../packages/server/src/domain/runs/runs.repository.ts';
import { toNewRun } from '../packages/server/src/domain/runs/new-run.ts';
import type { RunRow } from '../packages/server/src/domain/runs/runs.types.ts';
import { transitionActivity } from '../packages/server/src/domain/runs/transitions.ts';
import { writeRuns } from '../packages/server/src/domain/signals/derive.repository.ts';
import { createLogger } from '../packages/server/src/logger.ts';
import { eachBackend } from './lib/backends.ts';
import { COMPLETE_BODY, createRunBody } from './lib/fixtures.ts';
import { fmtInt, intEnv, machineLine, percentile, row } from './lib/common.ts';

/**
 * What one group of REST run writes costs the database, statement by statement: each
 * statement the writer sends for a group of G runs, timed from the server's side (round trip
 * included) inside a transaction that is rolled back, so every repetition meets the same data.
 * Free of the HTTP load's swings, it shows where a run's database time goes, and the most
 * runs per second the database could take if it did nothing else (PGlite: one thread).
 */

const HISTORY_RUNS = 600;

export async function main(): Promise<void> {
  const group = intEnv('BENCH_GROUP', 25);
  const reps = intEnv('BENCH_REPS', 30);
  const backends = (process.env.BENCH_BACKENDS ?? 'pglite,postgres').split(',').map((b) => b.trim());
  console.log('Runlog write statements: one group of REST run writes, statement by statement');
  console.log(machineLine());
  console.log(`group of ${group} runs; median of ${reps} repetitions, each in a transaction rolled back; ${fmtInt(HISTORY_RUNS)} finished runs as history (baselines)`);
  await eachBackend(backends, async (backend) => {
    const { app, services } = await buildApp({ db: backend.db, logger: createLogger('silent'), realtime: backend.realtime, rendering: { workers: 0 } });
    await app.ready();
    try {
      const tenant = await services.auth.ensureTenant(`bench-statements-${process.pid}`);
      const auth = { tenantId: tenant.id } as Parameters<typeof toNewRun>[0];
      const { key } = await services.auth.createKey({ tenantId: tenant.id, name: 'bench', scopes: ['ingest', 'read'], createdBy: null });
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const post = async (url: string, payload: object) => {
        const res = await app.inject({ method: 'POST', url: `/api/v1${url}`, headers, payload });
        if (res.statusCode >= 300) throw new Error(`POST ${url} → ${res.statusCode} ${res.body}`);
      };
      for (let i = 0; i < HISTORY_RUNS; i += 50) {
        await Promise.all(Array.from({ length: 50 }, async (_, j) => {
          await post('/runs', createRunBody(`history-${i + j}`));
          await post(`/runs/history-${i + j}/complete`, COMPLETE_BODY);
        }));
      }
      const pending = Array.from({ length: group }, (_, i) => `pending-${i}`);
      const running = Array.from({ length: group }, (_, i) => `running-${i}`);
      await Promise.all(pending.map((id) => post('/runs', { ...createRunBody(id), status: 'pending' })));
      await Promise.all(running.map((id) => post('/runs', createRunBody(id))));
      await backend.db.exec('ANALYZE');

      const t = tenant.id;
      const now = new Date();
      const started = (r: RunRow): RunRow => ({ ...r, status: 'running', started_at: now, last_seen_at: now });
      const completed = (r: RunRow): RunRow => ({
        ...r, status: 'completed', state: 'COMPLETED', completed_at: now, duration_ms: 1_000, last_seen_at: now,
        input_tokens: COMPLETE_BODY.input_tokens, output_tokens: COMPLETE_BODY.output_tokens, estimated_cost_usd: 0.05, cost_source: 'computed',
      });
      // Each case gets what it needs before the clock starts (the locked rows), then times one statement.
      const cases: Array<{ name: string; perRun: number; prepare: (tx: Queryable) => Promise<RunRow[]>; timed: (tx: Queryable, rows: RunRow[]) => Promise<unknown> }> = [
        { name: 'BEGIN … SELECT 1', perRun: 0, prepare: async () => [], timed: (tx) => tx.query('SELECT 1') },
        {
          name: 'insert runs (create)', perRun: 1, prepare: async () => [],
          timed: (tx) => insertRuns(tx, t, Array.from({ length: group }, (_, i) => toNewRun(auth, { ...createRunBody(`new-${i}`), status: 'pending' } as never, now, ''))),
        },
        { name: 'lock runs (start, complete)', perRun: 2, prepare: async () => [], timed: (tx) => lockRuns(tx, t, running) },
        { name: 'write runs, started', perRun: 1, prepare: (tx) => lockRuns(tx, t, pending), timed: (tx, rows) => writeRuns(tx, t, rows.map(started)) },
        { name: 'write runs, finished + derived', perRun: 1, prepare: (tx) => lockRuns(tx, t, running), timed: (tx, rows) => writeRuns(tx, t, rows.map(completed)) },
        { name: 'append activities (one a transition)', perRun: 3, prepare: (tx) => lockRuns(tx, t, running), timed: (tx, rows) => appendActivities(tx, t, rows.map((r) => transitionActivity(r, now))) },
      ];
      console.log(`\n-- ${backend.name}: ${backend.detail}`);
      const widths: Array<[string, number]> = [['statement', 38], ['ms / group', 11], ['ms / row', 9], ['rows / run', 11]];
      console.log(row(widths));
      let perRunMs = 0;
      for (const c of cases) {
        const times: number[] = [];
        for (let rep = 0; rep < reps; rep++) {
          await backend.db.transaction(async (tx) => {
            const rows = await c.prepare(tx);
            const start = performance.now();
            await c.timed(tx, rows);
            times.push(performance.now() - start);
            throw ROLLBACK;
          }).catch((err) => {
            if (err !== ROLLBACK) throw err;
          });
        }
        const ms = percentile(times, 50);
        perRunMs += (ms / group) * c.perRun;
        console.log(row([[c.name, 38], [ms.toFixed(2), 11], [(ms / group).toFixed(3), 9], [c.perRun ? String(c.perRun) : '', 11]]));
      }
      console.log(`a run (create + start + complete): ${perRunMs.toFixed(2)} ms of statements → at most ${fmtInt(1_000 / perRunMs)} runs/s on one database thread (BEGIN and COMMIT not counted)`);
    } finally {
      await app.close();
    }
  });
}

const ROLLBACK = new Error('rolled back on purpose');

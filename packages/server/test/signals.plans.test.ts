import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Queryable } from '../src/db/database.ts';
import { listRuns } from '../src/domain/runs/runs.repository.ts';
import { deriveFinishedRuns, refreshDirtyPatterns, refreshLiveRuns } from '../src/domain/signals/derive.repository.ts';
import { attentionQueue } from '../src/domain/signals/queries/attention-queue.ts';
import { runsByDimension } from '../src/domain/signals/queries/by-dimension.ts';
import { costBaseline, costCurrent } from '../src/domain/signals/queries/cost-analysis.ts';
import { oscillations, retryLoops, timeoutCascades, toolCallLoops } from '../src/domain/signals/queries/patterns.ts';
import { statusSummary } from '../src/domain/signals/queries/status-summary.ts';
import { openTestDatabase, type TestDatabase } from './helpers.ts';

/**
 * Runs a query function on EXPLAIN instead of the query, keeping the plan it would use. The
 * planner is told what docs/operations.md asks of a server on SSD storage (random_page_cost
 * 1.1); with the spinning-disk default of 4 it prefers hashing a tenant's whole step table
 * over a few thousand index probes.
 */
function explaining(db: Database) {
  const plans: string[] = [];
  const handle: Queryable = {
    async query(text, params) {
      const { rows } = await db.transaction(async (tx) => {
        await tx.query('SET LOCAL random_page_cost = 1.1');
        return tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params);
      });
      plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
      return { rows: [], rowCount: 0 };
    },
    exec: (text) => db.exec(text),
  };
  if (process.env.SHOW_PLANS) process.on("exit", () => console.log(plans.join("\n----\n")));
  return { handle, last: () => plans[plans.length - 1]!, all: () => plans.join("\n----\n") };
}

const DAY = 86_400_000;

/**
 * Seed 001 §9 on PostgreSQL: with enough rows that a sequential scan is a real option
 * (100,000 runs and 500,000 steps over 30 days in nine tenants, the tested one holding a fifth), each signal query must read
 * the index it was shaped for, and never scan runs or trace_steps whole.
 */
describe.runIf(process.env.DATABASE_URL)('signal query plans on postgres', () => {
  let testDb: TestDatabase;
  const big = randomUUID();
  const others = Array.from({ length: 8 }, () => randomUUID());
  const now = new Date();

  beforeAll(async () => {
    testDb = await openTestDatabase('postgres');
    const { db } = testDb;
    for (const [tenant, n] of [[big, 20_000], ...others.map((t) => [t, 10_000] as const)] as const) {
      // Rows as wide as real ones (prompts and outputs), so a full scan costs what it would.
      await db.query(
        `INSERT INTO runs (tenant_id, id, project_id, work_unit_id, agent_id, source, provider_type, status, state,
           started_at, completed_at, last_seen_at, duration_ms, estimated_cost_usd, risk_level, latency_bucket, evidence_health, created_at,
           input_data, output_data)
         SELECT $1, 'run-' || i, 'proj-' || (i % 3), 'wu-' || (i % 40), 'agent-' || (i % 25), (ARRAY['sdk','otlp','api'])[1 + i % 3],
           (ARRAY['anthropic','openai','google','internal'])[1 + i % 4],
           CASE WHEN i % 200 = 0 THEN 'running' WHEN i % 10 = 0 THEN 'failed' ELSE 'completed' END,
           CASE WHEN i % 200 = 0 THEN 'LIVE' ELSE 'COMPLETED' END,
           at, CASE WHEN i % 200 = 0 THEN NULL ELSE at + interval '1 minute' END, at + interval '1 minute', 60000,
           CASE WHEN i % 33 = 0 THEN NULL ELSE (i % 100) / 100.0 END,
           CASE WHEN i % 50 = 0 THEN 'AT_RISK' WHEN i % 70 = 0 THEN 'NEAR_THRESHOLD' ELSE 'OK' END,
           CASE WHEN i % 200 = 0 THEN NULL ELSE 'NORMAL' END, 'HEALTHY', at,
           jsonb_build_object('prompt', repeat(md5(i::text), 8)), jsonb_build_object('answer', repeat(md5(i::text), 4))
         FROM generate_series(1, $2::int) i, LATERAL (SELECT $3::timestamptz - (i::float8 / $2 * 30) * interval '1 day' AS at) t`,
        [tenant, n, now],
      );
      await db.query(
        `INSERT INTO trace_steps (tenant_id, run_id, step_index, skill_id, retry_count, duration_ms, started_at)
         SELECT $1, 'run-' || i, s, 'skill-' || ((i + s) % 30), CASE WHEN (i + s) % 97 = 0 THEN 2 ELSE 0 END,
           CASE WHEN (i + s) % 41 = 0 THEN 7000 ELSE 300 END, now()
         FROM generate_series(1, $2::int) i, generate_series(0, 4) s`,
        [tenant, n],
      );
    }
    // The pattern evidence of every run, as the finishing transactions would have written it.
    await db.query(`SELECT runlog_refresh_pattern_features(tenant_id, array_agg(id)) FROM runs GROUP BY tenant_id`);
    // What autovacuum does to a settled table: statistics, and a visibility map for index-only scans.
    await db.exec('VACUUM ANALYZE runs');
    await db.exec('VACUUM ANALYZE trace_steps');
  }, 120_000);
  afterAll(async () => testDb?.drop());

  const noFullScan = (plan: string) => expect(plan).not.toMatch(/Seq Scan on (runs|trace_steps)/);

  /** Index Only Scan where the visibility map allows it (autovacuum's work), else an index or bitmap scan: the index either way. */
  const usesIndex = (plan: string, index: string) => expect(plan).toMatch(new RegExp(`(Index Only Scan|Index Scan|Bitmap Index Scan)( Backward)? (using|on) ${index}\\b`));

  it('COMP-O3 reads idx_runs_tenant_started', async () => {
    const x = explaining(testDb.db);
    await statusSummary(x.handle, { tenantId: big, projectId: null, startedAfter: new Date(now.getTime() - 7 * DAY), startedBefore: null });
    usesIndex(x.last(), 'idx_runs_tenant_started');
    noFullScan(x.last());
  });

  it('LIVE-O5 reads its rollup by index, never the runs', async () => {
    const x = explaining(testDb.db);
    for (const dim of ['provider_type', 'source', 'agent_id'] as const) {
      await runsByDimension(x.handle, big, dim, 'COMPLETED', null);
      usesIndex(x.last(), 'run_dimension_counts_idx');
      await runsByDimension(x.handle, big, dim, 'LIVE', 'proj-1');
      usesIndex(x.last(), 'run_dimension_counts_idx');
    }
    expect(x.all()).not.toMatch(/on runs\b/);
  });

  it('SIG-O2 pages flagged runs from idx_runs_tenant_risk', async () => {
    const x = explaining(testDb.db);
    await listRuns(x.handle, big, { risk_level: ['NEAR_THRESHOLD', 'AT_RISK'], limit: 50 } as never, null);
    usesIndex(x.last(), 'idx_runs_tenant_risk');
    noFullScan(x.last());
  });

  it('SIG-O3 reads each detector\'s partial index of runs, never the steps', async () => {
    const x = explaining(testDb.db);
    const w = { tenantId: big, projectId: null, start: new Date(now.getTime() - DAY), end: now };
    await retryLoops(x.handle, w);
    usesIndex(x.last(), 'idx_runs_pattern_retry');
    await oscillations(x.handle, w);
    usesIndex(x.last(), 'idx_runs_pattern_oscillation');
    await toolCallLoops(x.handle, w);
    usesIndex(x.last(), 'idx_runs_pattern_loop');
    await timeoutCascades(x.handle, w, 5000);
    usesIndex(x.last(), 'idx_runs_pattern_slow');
    expect(x.all()).not.toContain('trace_steps');
    noFullScan(x.all());
  });

  it('SIG-O4 range-scans completed_at and started_at', async () => {
    const x = explaining(testDb.db);
    await costBaseline(x.handle, big, now, null);
    usesIndex(x.last(), 'idx_runs_tenant_agent_cost');
    await costCurrent(x.handle, big, now, null);
    usesIndex(x.last(), 'idx_runs_tenant_started');
    noFullScan(x.all());
  });

  it('SIG-O5 combines live runs and the last day of finished ones', async () => {
    const x = explaining(testDb.db);
    await attentionQueue(x.handle, big, now, 20, null);
    // Live runs come from any index led by (tenant_id, state), or the partial runs_live_idx.
    expect(x.last()).toMatch(/BitmapOr[\s\S]*(runs_live_idx|idx_runs_tenant_(provider|source|agent))/);
    usesIndex(x.last(), 'idx_runs_tenant_agent_cost');
    noFullScan(x.last());
  });

  it('derivation reads its baseline from idx_runs_tenant_unit, the live pass from runs_live_idx and runs_patterns_dirty_idx', async () => {
    const x = explaining(testDb.db);
    await deriveFinishedRuns(x.handle, big, ['run-7']);
    usesIndex(x.last(), 'idx_runs_tenant_unit');
    noFullScan(x.last());
    await refreshLiveRuns(x.handle, now, new Date(now.getTime() - 300_000));
    usesIndex(x.last(), 'runs_live_idx');
    noFullScan(x.last());
    await refreshDirtyPatterns(x.handle);
    usesIndex(x.last(), 'runs_patterns_dirty_idx');
    noFullScan(x.last());
  });
});

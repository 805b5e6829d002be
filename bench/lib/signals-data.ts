import { performance } from 'node:perf_hooks';
import type { Database } from '../../packages/server/src/db/database.ts';
import { fmtInt, fmtRate, rate } from './common.ts';
import { SignalsGenerator, calibrate, type RowSink } from './signals-gen.ts';
import { copySink, unnestSink, type LoadSink } from './signals-sinks.ts';
import { buildWorld, type World } from './signals-world.ts';

/**
 * Loads the signals data set: registry rows (projects, work units), then runs and trace
 * steps streamed from the generator with the tables' indexes dropped, then the indexes
 * rebuilt (much faster than keeping them up to date row by row), then statistics.
 * On PostgreSQL the data set is labelled in a schema comment, so the next run can reuse it.
 */

/** Bump when the generator changes: a labelled data set of another format is reloaded. */
export const DATASET_FORMAT = 3;
export const DEFAULT_SEED = 20_260_117;
/** Runs generated per step of the loop between flushes. */
const CHUNK_RUNS = 500;
const PROGRESS_EVERY_MS = 5_000;

export interface Marker {
  format: number;
  seed: number;
  runs: number;
  steps: number;
  loaded_at: string;
  load_ms: number;
}

export interface LoadTarget {
  db: Database;
  /** PostgreSQL: the URL and schema the COPY connections use; PGlite: absent. */
  copy?: { url: string; schema: string };
}

export interface LoadResult {
  runs: number;
  steps: number;
  ms: number;
  phases: Array<[string, number]>;
}

export async function readMarker(db: Database, schema: string): Promise<Marker | null> {
  const { rows } = await db.query<{ comment: string | null }>(
    `SELECT obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname = $1`,
    [schema],
  );
  try {
    const marker = JSON.parse(rows[0]?.comment ?? 'null') as Marker | null;
    return marker && typeof marker.runs === 'number' ? marker : null;
  } catch {
    return null;
  }
}

export async function writeMarker(db: Database, schema: string, marker: Marker): Promise<void> {
  await db.exec(`COMMENT ON SCHEMA ${schema} IS '${JSON.stringify(marker).replace(/'/g, "''")}'`);
}

interface IndexDef {
  table: string;
  name: string;
  drop: string;
  create: string;
}

/** Every index of the tables (constraint-backed ones as their constraint), as this schema has them now. */
async function indexesOf(db: Database, tables: string[]): Promise<IndexDef[]> {
  const { rows } = await db.query<{ tbl: string; name: string; indexdef: string; conname: string | null; condef: string | null }>(
    `SELECT c.relname AS tbl, i.relname AS name, pg_get_indexdef(i.oid) AS indexdef,
            con.conname, pg_get_constraintdef(con.oid) AS condef
     FROM pg_index x
     JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_class c ON c.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_constraint con ON con.conindid = i.oid AND con.conrelid = c.oid
     WHERE n.nspname = current_schema() AND c.relname = ANY($1::text[])
     ORDER BY c.relname, i.relname`,
    [tables],
  );
  return rows.map((r) => ({
    table: r.tbl,
    name: r.name,
    drop: r.conname ? `ALTER TABLE ${r.tbl} DROP CONSTRAINT ${r.conname}` : `DROP INDEX ${r.name}`,
    create: r.conname ? `ALTER TABLE ${r.tbl} ADD CONSTRAINT ${r.conname} ${r.condef}` : r.indexdef,
  }));
}

/** Rebuilds the indexes, one table per connection on PostgreSQL so both cores work. */
async function createIndexes(db: Database, defs: IndexDef[]): Promise<void> {
  const tables = [...new Set(defs.map((d) => d.table))];
  const build = (table: string) => db.transaction(async (tx) => {
    if (db.kind === 'postgres') await tx.exec(`SET LOCAL maintenance_work_mem = '512MB'`);
    for (const def of defs.filter((d) => d.table === table)) await tx.exec(def.create);
  });
  if (db.kind === 'postgres') await Promise.all(tables.map(build));
  else for (const table of tables) await build(table);
}

/** The migration's index names must all be back after the load. */
async function checkIndexes(db: Database, expected: IndexDef[]): Promise<void> {
  const now = new Set((await indexesOf(db, ['runs', 'trace_steps'])).map((d) => d.name));
  const missing = expected.filter((d) => !now.has(d.name)).map((d) => d.name);
  if (missing.length > 0) throw new Error(`indexes missing after the load: ${missing.join(', ')}`);
}

async function insertRegistry(db: Database, world: World): Promise<void> {
  const projects = world.tenants.flatMap((t) => t.projects.map((p) => [t.id, p.id, p.name]));
  await db.query(
    `INSERT INTO projects (tenant_id, id, name) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`,
    [0, 1, 2].map((c) => projects.map((p) => p[c])),
  );
  const units = world.tenants.flatMap((t) => t.agents.map((a) => [
    t.id, a.workUnitId, a.workUnitName, a.workUnitId.split('-').pop(), a.workUnitKind, a.workUnitType,
    `${a.workUnitName} (${a.source}, ${a.provider})`,
    JSON.stringify(a.limits ? { max_tokens: a.limits.maxTokens, max_duration_ms: a.limits.maxDurationMs, max_cost_usd: a.limits.maxCostUsd } : {}),
  ]));
  await db.query(
    `INSERT INTO work_units (tenant_id, id, name, version, kind, type, description, limits)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])`,
    [0, 1, 2, 3, 4, 5, 6, 7].map((c) => units.map((u) => u[c])),
  );
}

/** The registry's derived columns: total runs and the newest run of each work unit. */
async function workUnitStats(db: Database): Promise<void> {
  await db.exec(`UPDATE work_units w
    SET total_runs = s.n, latest_run_id = s.id, latest_run_status = s.status, latest_run_at = s.at
    FROM (
      SELECT DISTINCT ON (tenant_id, work_unit_id) tenant_id, work_unit_id, id, status,
             coalesce(started_at, created_at) AS at, count(*) OVER (PARTITION BY tenant_id, work_unit_id) AS n
      FROM runs
      ORDER BY tenant_id, work_unit_id, coalesce(started_at, created_at) DESC
    ) s
    WHERE w.tenant_id = s.tenant_id AND w.id = s.work_unit_id`);
}

class Progress {
  private readonly started = performance.now();
  private last = this.started;

  constructor(private readonly total: number) {}

  tick(runs: number, steps: number, force = false): void {
    const now = performance.now();
    if (!force && now - this.last < PROGRESS_EVERY_MS) return;
    this.last = now;
    const ms = now - this.started;
    const pct = ((100 * runs) / this.total).toFixed(0).padStart(3);
    console.log(`  ${pct}%  ${fmtInt(runs)} runs (${fmtRate(rate(runs, ms))}), ${fmtInt(steps)} steps (${fmtRate(rate(steps, ms))}), ${(ms / 1000).toFixed(0)} s`);
  }
}

/**
 * What the finishing transactions would have written: each run's pattern evidence, computed
 * by the server's own function (db/functions/runlog_refresh_pattern_features.sql), a tenant's runs a chunk at a time.
 */
async function patternEvidence(db: Database): Promise<void> {
  const chunk = 50_000;
  const { rows: tenants } = await db.query<{ tenant_id: string }>(`SELECT DISTINCT tenant_id FROM runs`);
  for (const { tenant_id } of tenants) {
    for (let after = ''; ;) {
      const { rows } = await db.query<{ ids: string[] | null; last: string | null }>(
        `SELECT array_agg(id) AS ids, max(id) AS last FROM (SELECT id FROM runs WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3) c`,
        [tenant_id, after, chunk],
      );
      if (!rows[0]?.ids) break;
      await db.query(`SELECT runlog_refresh_pattern_features($1, $2::text[])`, [tenant_id, rows[0].ids]);
      after = rows[0].last!;
    }
  }
}

/** Streams every run and step through `sink`; returns the counts. */
async function stream(world: World, seed: number, total: number, now: number, sink: LoadSink): Promise<{ runs: number; steps: number }> {
  const counts = { runs: 0, steps: 0 };
  const counting: RowSink = {
    run: (row) => {
      counts.runs++;
      sink.run(row);
    },
    step: (row) => {
      counts.steps++;
      sink.step(row);
    },
  };
  const generator = new SignalsGenerator(world, seed, total, now);
  const progress = new Progress(total);
  try {
    for (let from = 0; from < total; from += CHUNK_RUNS) {
      generator.fill(from, Math.min(total, from + CHUNK_RUNS), counting);
      await sink.flush();
      progress.tick(counts.runs, counts.steps);
    }
    await sink.finish();
  } catch (err) {
    await sink.abort();
    throw err;
  }
  progress.tick(counts.runs, counts.steps, true);
  return counts;
}

/** Builds the world for these tenants (calibrated), as both the load and the report use it. */
export function makeWorld(tenantIds: string[], seed: number): World {
  const world = buildWorld(seed, tenantIds);
  calibrate(world, seed);
  return world;
}

export async function loadDataset(target: LoadTarget, world: World, runs: number, seed: number, now: number): Promise<LoadResult> {
  const { db } = target;
  const phases: Array<[string, number]> = [];
  const started = performance.now();
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await fn();
    phases.push([name, performance.now() - t0]);
    return result;
  };
  await phase('registry', () => insertRegistry(db, world));
  const indexes = await indexesOf(db, ['runs', 'trace_steps']);
  await phase('drop indexes', async () => {
    for (const def of indexes) await db.exec(def.drop);
  });
  console.log(`  generating and loading ${fmtInt(runs)} runs (${target.copy ? 'COPY … FROM STDIN FREEZE, runs and steps on two connections' : 'INSERT … SELECT FROM unnest, 5,000 rows a statement'}); indexes dropped until the end: ${indexes.map((d) => d.name).join(', ')}`);
  const counts = await phase('rows', async () => stream(world, seed, runs, now, target.copy ? await copySink(target.copy.url, target.copy.schema) : unnestSink(db)));
  await phase('indexes', () => createIndexes(db, indexes));
  await checkIndexes(db, indexes);
  await phase('work unit stats', () => workUnitStats(db));
  await phase('pattern evidence', () => patternEvidence(db));
  await phase('vacuum analyze', () => db.exec('VACUUM (ANALYZE) runs, trace_steps, work_units, projects'));
  return { ...counts, ms: performance.now() - started, phases };
}

import type { Queryable } from './database.ts';

/**
 * PGlite has no autovacuum, so nothing refreshes the planner's statistics. Statistics taken
 * while a table was small are worse than none (the planner then trusts them as the table
 * grows: a 500-run batch went from 0.4 s to 1.2 s), so, like autovacuum, this re-analyzes a
 * table once it has grown by a fifth since its last ANALYZE. Returns the tables analyzed.
 */
export async function analyzeGrownTables(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind = 'r'
       AND pg_relation_size(c.oid) / current_setting('block_size')::int > greatest(8, c.relpages * 1.2)`,
  );
  for (const { name } of rows) await db.exec(`ANALYZE ${name}`);
  return rows.map((r) => r.name);
}

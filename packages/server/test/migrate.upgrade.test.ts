import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { openPglite } from '../src/db/pglite.ts';
import { BACKENDS, call, createTenant, openTestDatabase, useApp } from './helpers.ts';

const OLD = new URL('./fixtures/migrations-0001-0013/', import.meta.url);

/** What a schema is made of: columns with their types, indexes, triggers and functions. */
async function shapeOf(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ line: string }>(`
    SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS line
      FROM information_schema.columns WHERE table_schema = current_schema()
    UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
    UNION ALL SELECT 'trigger ' || tgname || ' ' || pg_get_triggerdef(t.oid) FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND NOT t.tgisinternal
    UNION ALL SELECT 'function ' || p.proname || ' ' || md5(pg_get_functiondef(p.oid)) FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()
    UNION ALL SELECT 'price ' || provider || ' ' || model_pattern || ' ' || input_per_mtok FROM model_prices`);
  return rows.map((r) => r.line).sort();
}

/** A database exactly as the pre-release migrations 0001–0013 left it. */
async function oldDatabase(): Promise<Database> {
  const db = await openPglite(null);
  await db.exec(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz(3) NOT NULL DEFAULT now())`);
  for (const file of readdirSync(OLD).sort()) {
    await db.exec(readFileSync(new URL(file, OLD), 'utf8'));
    await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [Number(file.slice(0, 4)), file.slice(5, -4)]);
  }
  return db;
}

describe('the squashed schema', () => {
  it('a database made by the pre-release migrations upgrades cleanly, to the same shape as a new one', async () => {
    const old = await oldDatabase();
    const fresh = await openTestDatabase('pglite');
    try {
      await old.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'kept')`);
      await migrate(old);
      expect(await shapeOf(old)).toEqual(await shapeOf(fresh.db));
      expect((await old.query<{ name: string }>(`SELECT name FROM tenants WHERE name = 'kept'`)).rows).toHaveLength(1);
      await migrate(old); // and again: nothing left to do, functions replaced in place
    } finally {
      await old.close();
      await fresh.drop();
    }
  }, 300_000); // two embedded databases made from nothing

  it('refuses a database that stopped before the squashed version, saying why', async () => {
    const db = await openPglite(null);
    try {
      await db.exec(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz(3) NOT NULL DEFAULT now())`);
      await db.exec(readFileSync(new URL('0001_data_model.sql', OLD), 'utf8'));
      await db.query(`INSERT INTO schema_migrations (version, name) VALUES (1, 'data_model')`);
      await expect(migrate(db)).rejects.toThrow(/pre-release of Runlog \(schema version 1\)/);
    } finally {
      await db.close();
    }
  }, 300_000);
});

describe.each(BACKENDS)('an upgraded database at work on %s', (backend) => {
  const ctx = useApp(backend);
  it('keeps the triggers and functions the rollups rest on', async () => {
    const t = await createTenant(ctx);
    await call(ctx, t.keys.ingest, 'POST', '/runs', { id: 'u-1', provider_type: 'anthropic' });
    const dims = await call(ctx, t.keys.read, 'GET', '/activity/runs/by-dimension?dim=provider_type&state=LIVE');
    expect(dims.status).toBe(200);
    expect(JSON.stringify(dims.body)).toContain('anthropic');
  });
});

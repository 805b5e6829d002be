import { describe, expect, it } from 'vitest';
import { whenOpen, type Database } from '../src/db/database.ts';
import { openTestDatabase } from './helpers.ts';

/** The handle serve builds the app on while the embedded database is still opening. */
describe('whenOpen', () => {
  it('holds calls made before the database is open, then passes every call straight through', async () => {
    const testDb = await openTestDatabase('pglite');
    try {
      let resolve!: (db: Database) => void;
      const db = whenOpen('pglite', new Promise<Database>((r) => (resolve = r)));
      let early: number | null = null;
      const pending = db.query<{ n: number }>('SELECT 1 AS n').then(({ rows }) => (early = rows[0]!.n));
      await new Promise((r) => setTimeout(r, 20));
      expect(early).toBeNull(); // still waiting for the database
      resolve(testDb.db);
      await pending;
      expect(early).toBe(1);
      expect(await db.transaction(async (tx) => (await tx.query<{ n: number }>('SELECT 2 AS n')).rows[0]!.n)).toBe(2);
      expect((await db.longRunning!().query<{ n: number }>('SELECT 3 AS n')).rows[0]!.n).toBe(3);
    } finally {
      await testDb.drop();
    }
  });

  it('rejects the calls when the database fails to open', async () => {
    const db = whenOpen('pglite', Promise.reject(new Error('data directory is locked')));
    await expect(db.query('SELECT 1')).rejects.toThrow('data directory is locked');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseError, type Database } from '../src/db/database.ts';
import { openPglite } from '../src/db/pglite.ts';

/**
 * The embedded database runs PGlite in a worker thread. What the rest of the server relies on:
 * the event loop keeps serving while a query runs, transactions are atomic and isolated from
 * other queries, errors carry PostgreSQL's code, and a misuse fails instead of hanging.
 */

/** Rejects with a clear message instead of letting a hang run into the test timeout. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms))),
  ]);
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; constraint?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('PGlite in a worker thread', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openPglite(null);
    await db.exec(`CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL)`);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('keeps the main event loop running during a long query', async () => {
    let ticks = 0;
    const interval = setInterval(() => ticks++, 10);
    try {
      const started = performance.now();
      const ticksBefore = ticks;
      // ~1 s of work inside the database (9 M rows counted).
      const { rows } = await db.query<{ n: number }>(`SELECT count(*) AS n FROM generate_series(1, 3000) a, generate_series(1, 3000) b`);
      const duration = performance.now() - started;
      const during = ticks - ticksBefore;
      expect(rows[0]!.n).toBe(9_000_000);
      expect(duration, 'the query must take long enough to tell').toBeGreaterThan(200);
      // A blocked loop would see ~0 ticks; a free one about duration/10. Half is the bar.
      expect(during, `${during} ticks in ${Math.round(duration)} ms`).toBeGreaterThanOrEqual(duration / 10 / 2);
    } finally {
      clearInterval(interval);
    }
  });

  it('rolls back a transaction whose callback throws, and rejects with its error', async () => {
    const err = await failure(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO items (id, name) VALUES (100, 'written then rolled back')`);
        const { rows } = await tx.query<{ n: number }>(`SELECT count(*) AS n FROM items WHERE id = 100`);
        expect(rows[0]!.n).toBe(1); // visible inside
        throw new Error('the caller changed its mind');
      }),
    );
    expect(err.message).toBe('the caller changed its mind');
    const { rows } = await db.query(`SELECT * FROM items WHERE id = 100`);
    expect(rows).toEqual([]);
    // And the database is usable afterwards.
    await db.transaction((tx) => tx.query(`INSERT INTO items (id, name) VALUES (100, 'second try')`));
    expect((await db.query(`SELECT name FROM items WHERE id = 100`)).rows).toEqual([{ name: 'second try' }]);
  });

  it('makes queries outside an open transaction wait for it, then see what it committed', async () => {
    const inserted = deferred();
    const release = deferred();
    const tx = db.transaction(async (t) => {
      await t.query(`INSERT INTO items (id, name) VALUES (200, 'from the transaction')`);
      inserted.resolve();
      await release.promise;
      await t.query(`UPDATE items SET name = 'committed' WHERE id = 200`);
      return 'done';
    });
    await inserted.promise;

    const settled: string[] = [];
    const outside = db.query<{ name: string }>(`SELECT name FROM items WHERE id = 200`).then((r) => {
      settled.push('outside');
      return r.rows;
    });
    const outsideWrite = db.query(`INSERT INTO items (id, name) VALUES (201, 'outside')`).then(() => settled.push('outside write'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(settled, 'nothing outside the transaction ran while it was open').toEqual([]);

    release.resolve();
    expect(await within(tx, 5_000, 'transaction')).toBe('done');
    // It ran after the commit: it sees the final committed row, not the transaction's first version.
    expect(await within(outside, 5_000, 'query outside the transaction')).toEqual([{ name: 'committed' }]);
    await within(outsideWrite, 5_000, 'write outside the transaction');
    expect((await db.query(`SELECT id FROM items WHERE id IN (200, 201) ORDER BY id`)).rows).toEqual([{ id: 200 }, { id: 201 }]);
  });

  it('reports query errors with the PostgreSQL code, inside and outside transactions', async () => {
    await db.query(`INSERT INTO items (id, name) VALUES (300, 'first')`);
    const duplicate = await failure(db.query(`INSERT INTO items (id, name) VALUES (300, 'again')`));
    expect(duplicate).toBeInstanceOf(Error);
    expect(duplicate).toMatchObject({ code: '23505', constraint: 'items_pkey' });
    expect(isDatabaseError(duplicate, '23505')).toBe(true);

    expect(await failure(db.query(`SELECT * FROM no_such_table`))).toMatchObject({ code: '42P01' });
    expect(await failure(db.exec(`SELECT * FROM no_such_table`))).toMatchObject({ code: '42P01' });
    expect(await failure(db.query(`INSERT INTO items (id) VALUES (301)`))).toMatchObject({ code: '23502', column: 'name' });

    const inTx = await failure(db.transaction((tx) => tx.query(`INSERT INTO items (id, name) VALUES (300, 'in a transaction')`)));
    expect(inTx).toMatchObject({ code: '23505' });
    // The worker is not left inside the failed transaction.
    expect((await db.query(`SELECT name FROM items WHERE id = 300`)).rows).toEqual([{ name: 'first' }]);
  });

  it('rejects a query on the database handle inside a transaction callback instead of hanging', async () => {
    const err = await within(
      failure(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO items (id, name) VALUES (400, 'rolled back with the misuse')`);
          await db.query(`SELECT 1`); // should have been tx.query
        }),
      ),
      5_000,
      'transaction that used the database handle',
    );
    expect(err.message).toMatch(/transaction handle/);
    expect((await within(db.query(`SELECT count(*) AS n FROM items WHERE id = 400`), 5_000, 'query after')).rows).toEqual([{ n: 0 }]);

    // Also from a callback further down the async chain of the transaction.
    const nested = await within(
      failure(db.transaction(async () => new Promise((_, reject) => setTimeout(() => db.exec(`SELECT 1`).catch(reject), 5)))),
      5_000,
      'nested misuse',
    );
    expect(nested.message).toMatch(/transaction handle/);
  });

  it('rejects a transaction whose COMMIT fails (deferred constraint) instead of hanging', async () => {
    await db.exec(`CREATE TABLE deferred_unique (id integer, CONSTRAINT deferred_unique_id UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)`);
    const err = await within(
      failure(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO deferred_unique VALUES (1)`);
          await tx.query(`INSERT INTO deferred_unique VALUES (1)`); // checked at COMMIT
        }),
      ),
      1_500,
      'transaction with a failing COMMIT',
    );
    expect(err).toMatchObject({ code: '23505' });
    expect((await db.query(`SELECT count(*) AS n FROM deferred_unique`)).rows).toEqual([{ n: 0 }]);
  });
});

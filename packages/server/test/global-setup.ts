import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '../src/db/migrate.ts';
import { openPglite } from '../src/db/pglite.ts';

const SQL_DIRS = ['../src/db/migrations/', '../src/db/functions/'].map((dir) => fileURLToPath(new URL(dir, import.meta.url)));

/** The migrations' and functions' contents: a template is reused for as long as they are unchanged. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const dir of SQL_DIRS) {
    for (const name of readdirSync(dir).sort()) hash.update(name).update(readFileSync(path.join(dir, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Migrates an embedded database once and writes it to a file that every test file's PGlite
 * starts from (`openTestDatabase`), instead of each file running every migration again.
 */
export default async function setup(): Promise<void> {
  const file = path.join(tmpdir(), `runlog-test-template-${migrationsHash()}.tar`);
  if (!existsSync(file)) {
    const db = await openPglite(null);
    try {
      await migrate(db);
      await db.dump(file);
    } finally {
      await db.close();
    }
  }
  process.env.RUNLOG_TEST_PGLITE_TEMPLATE = file;
}

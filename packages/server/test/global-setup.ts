import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '../src/db/migrate.ts';
import { openPglite } from '../src/db/pglite.ts';

const MIGRATIONS = fileURLToPath(new URL('../src/db/migrations/', import.meta.url));

/** The migrations' contents: a template is reused for as long as they are unchanged. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(MIGRATIONS).sort()) hash.update(name).update(readFileSync(path.join(MIGRATIONS, name)));
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

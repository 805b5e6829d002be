import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/** Where an embedded data directory keeps PGlite's files (the same path openDatabase uses). */
export const pgDir = (dataDir: string) => path.join(dataDir, 'pg');

/**
 * Writes a gzipped tarball of an embedded database (PGlite's dumpDataDir). The caller holds
 * the data directory's lock, so no other process writes while the copy is taken; a
 * CHECKPOINT first puts everything committed into the data files. Written to a temporary
 * name and renamed, so a failed backup never leaves a truncated file under the final name.
 */
export async function backupDataDir(dataDir: string, file: string): Promise<number> {
  if (!existsSync(pgDir(dataDir))) throw new Error(`no embedded database in ${dataDir}`);
  const db = await PGlite.create({ dataDir: pgDir(dataDir) });
  try {
    await db.exec('CHECKPOINT');
    const dump = await db.dumpDataDir('gzip');
    const bytes = Buffer.from(await dump.arrayBuffer());
    const partial = `${file}.partial`;
    writeFileSync(partial, bytes);
    renameSync(partial, file);
    return bytes.length;
  } finally {
    await db.close();
  }
}

/** Unpacks a backup into a data directory that has no database yet; the next start opens it. */
export async function restoreDataDir(file: string, dataDir: string): Promise<void> {
  const target = pgDir(dataDir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new Error(`${dataDir} already holds a database; restore into an empty --data-dir`);
  }
  const db = await PGlite.create({ dataDir: target, loadDataDir: new Blob([readFileSync(file)]) });
  try {
    await db.query('SELECT 1');
  } finally {
    await db.close();
  }
}

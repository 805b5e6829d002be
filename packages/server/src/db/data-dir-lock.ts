import { closeSync, openSync, readFileSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * PGlite is a single-process database: two processes on one data directory would corrupt it.
 * The owner writes its pid to `runlog.lock`; a lock whose process is gone is taken over.
 */
export class DataDirLockedError extends Error {
  constructor(readonly pid: number, dir: string) {
    super(`the data directory ${dir} is in use by process ${pid} (a running "runlog serve"?). Stop it first, or use the HTTP API.`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'runlog.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && alive(pid)) throw new DataDirLockedError(pid, dir);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${dir}`);
}

import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The local spool of `runlog hook`: one hook payload per line (NDJSON), appended while the
 * server cannot be reached and delivered by a later call.
 *
 * Delivery claims the whole file by renaming it (atomic), so two hook processes running at
 * once never deliver the same line; lines a process could not deliver are appended back
 * before it exits. A claim left behind by a process that was killed mid-delivery is adopted
 * by the next call after CLAIM_STALE_MS. Delivering a line twice anyway (killed between
 * send and cleanup) writes nothing twice: the server recognises the activity id.
 */

/** Beyond this size new lines are refused (a key that stays wrong must not fill the disk). */
export const MAX_SPOOL_BYTES = 50 * 1024 * 1024;
const CLAIM_MARK = '.sending-';
/** Far longer than any hook process lives (its deadline is seconds). */
const CLAIM_STALE_MS = 60_000;

export interface Claim {
  /** The claimed files, removed once their lines are delivered or put back. */
  files: string[];
  /** Their lines, oldest first (by the time the hook fired). */
  lines: string[];
  /** Lines that are not JSON (a torn write): dropped. */
  unreadable: number;
}

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** Appends lines with one write; returns false when the spool is full. */
export function appendToSpool(spool: string, lines: readonly string[]): boolean {
  if (lines.length === 0) return true;
  mkdirSync(path.dirname(spool), { recursive: true, mode: 0o700 });
  let size = 0;
  try {
    size = statSync(spool).size;
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
  if (size > MAX_SPOOL_BYTES) return false;
  appendFileSync(spool, lines.join(''), { mode: 0o600 });
  return true;
}

function claimName(spool: string, n: number): string {
  return `${spool}${CLAIM_MARK}${Date.now()}-${process.pid}-${randomBytes(4).toString('hex')}-${n}`;
}

function tryRename(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false; // another process got there first
    throw err;
  }
}

function observedAt(line: string): string | null {
  try {
    const value = (JSON.parse(line) as { runlog_observed_at?: unknown }).runlog_observed_at;
    return typeof value === 'string' ? value : '';
  } catch {
    return null;
  }
}

/** Takes the spool, and any claim abandoned by a dead process, for this process alone. */
export function claimSpool(spool: string): Claim {
  const files: string[] = [];
  const own = claimName(spool, 0);
  if (tryRename(spool, own)) files.push(own);
  const dir = path.dirname(spool);
  const prefix = `${path.basename(spool)}${CLAIM_MARK}`;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const claimedAt = Number(name.slice(prefix.length).split('-')[0]);
    if (!(Date.now() - claimedAt > CLAIM_STALE_MS)) continue;
    const adopted = claimName(spool, files.length);
    if (tryRename(path.join(dir, name), adopted)) files.push(adopted);
  }

  const timed: { line: string; at: string }[] = [];
  let unreadable = 0;
  for (const file of files) {
    for (const raw of readFileSync(file, 'utf8').split('\n')) {
      if (raw.trim() === '') continue;
      const at = observedAt(raw);
      if (at === null) unreadable += 1;
      else timed.push({ line: `${raw}\n`, at });
    }
  }
  // ISO-8601 UTC text sorts by time; the sort is stable for equal times.
  timed.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { files, lines: timed.map((t) => t.line), unreadable };
}

/** Removes claimed files (their lines are delivered or already appended back). */
export function releaseClaim(claim: Claim): void {
  for (const file of claim.files) rmSync(file, { force: true });
}

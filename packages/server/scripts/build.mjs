#!/usr/bin/env node
// Compiles src/ to dist/ (tsc, `.ts` imports rewritten to `.js`) and copies the files tsc does
// not emit (SQL migrations). `--if-stale` builds only when src/ changed since the last build:
// process tests and benchmarks call it before they spawn `runlog`, so they never run old code.
// The build goes to a temporary folder swapped in at the end, under a lock, so a concurrent
// caller waits for it instead of reading a half-written dist/.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = path.join(ROOT, 'src');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
const LOCK = path.join(ROOT, '.dist-lock');
const STALE_LOCK_MS = 5 * 60_000;
/** Only the TypeScript sources load these (they register tsx in a worker thread). */
const SOURCE_ONLY = /\.boot\.mjs$/;

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : [full];
  });
}

/** Names, sizes and modification times of everything the build reads. */
function fingerprint() {
  const inputs = [...files(SRC), path.join(ROOT, 'tsconfig.json'), path.join(ROOT, 'tsconfig.build.json'), fileURLToPath(import.meta.url)];
  const hash = createHash('sha256');
  for (const file of inputs.sort()) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${path.relative(ROOT, file)}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

function isCurrent(print) {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8') === print;
}

function compile(print) {
  const out = path.join(ROOT, `.dist-tmp-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', out], { stdio: 'inherit' });
  if (result.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`tsc failed (exit ${result.status ?? result.signal})`);
  }
  for (const file of files(SRC)) {
    if (file.endsWith('.ts') || SOURCE_ONLY.test(file)) continue;
    cpSync(file, path.join(out, path.relative(SRC, file)));
  }
  writeFileSync(path.join(out, '.build-stamp'), print);
  const old = path.join(ROOT, `.dist-old-${process.pid}`);
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(out, DIST);
  rmSync(old, { recursive: true, force: true });
}

function lock() {
  for (;;) {
    try {
      mkdirSync(LOCK);
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A build killed half-way leaves its lock behind.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}

export function build({ ifStale = false } = {}) {
  if (ifStale && isCurrent(fingerprint())) return false;
  const unlock = lock();
  try {
    const print = fingerprint();
    // Another caller may have built it while this one waited for the lock.
    if (ifStale && isCurrent(print)) return false;
    compile(print);
    return true;
  } finally {
    unlock();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    build({ ifStale: process.argv.includes('--if-stale') });
  } catch (err) {
    console.error(`build: ${err.message}`);
    process.exitCode = 1;
  }
}

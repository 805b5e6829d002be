#!/usr/bin/env node
// The `runlog` command: runs the compiled JavaScript in ../dist (built by `npm install`, or `npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('runlog: not built yet; run `npm install` (or `npm run build`) in the repository first');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));

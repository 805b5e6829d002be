// Worker entry: a worker thread does not inherit `--import tsx`, so it registers the
// TypeScript loader itself (as packages/server/src/db/pglite-worker.boot.mjs does).
import { register } from 'tsx/esm/api';

register();
await import('./load-worker.ts');

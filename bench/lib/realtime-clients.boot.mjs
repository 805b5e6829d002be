// Worker entry: a worker thread does not inherit `--import tsx`, so it registers the
// TypeScript loader itself (as load-worker.boot.mjs does).
import { register } from 'tsx/esm/api';

register();
await import('./realtime-clients.ts');

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../../db/database.ts';
import { queueDepth } from './rendering.repository.ts';

/** /metrics for rendering (issue 10 item 8): queue depth, render duration and lag, outcomes. */
export function createRenderingMetrics(db: Database, registry: Registry = new Registry()) {
  const renders = new Counter({
    name: 'runlog_renders_total',
    help: 'Activities rendered, by analyzer (builtin, llm), strategy and outcome (completed, cached, at_write: stored with the activity, fallback, retry, failed)',
    labelNames: ['analyzer', 'strategy', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'runlog_render_duration_seconds',
    help: 'Time to analyse one payload shape (cache misses), by analyzer',
    labelNames: ['analyzer'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'runlog_render_lag_seconds',
    help: 'From an activity being stored to its render being stored',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  new Gauge({
    name: 'runlog_render_queue_depth',
    help: 'Activities waiting for a render (pending) and being rendered (processing)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      try {
        const depth = await queueDepth(db);
        this.set({ status: 'pending' }, depth.pending);
        this.set({ status: 'processing' }, depth.processing);
      } catch {
        // An unreachable database shows on /readyz; the metric keeps its last value.
      }
    },
  });
  return { registry, renders, duration, lag };
}

export type RenderingMetrics = ReturnType<typeof createRenderingMetrics>;

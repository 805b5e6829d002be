import { Counter, type Registry } from 'prom-client';
import type { RetentionService } from './retention.service.ts';

/**
 * runlog_retention_pruned_rows_total{table}: rows deleted by retention, read from the
 * database at each scrape, so prunes by `runlog prune` and by other nodes count too.
 */
export function registerRetentionMetrics(registry: Registry, retention: Pick<RetentionService, 'totals'>): void {
  new Counter({
    name: 'runlog_retention_pruned_rows_total',
    help: 'Rows deleted by per-project retention, by table',
    labelNames: ['table'],
    registers: [registry],
    async collect() {
      const totals = await retention.totals().catch(() => null);
      if (!totals) return;
      this.reset();
      for (const table of ['runs', 'trace_steps', 'activities']) this.inc({ table }, totals.find((t) => t.table_name === table)?.rows ?? 0);
    },
  });
}

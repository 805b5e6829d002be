import { Counter, Histogram, type Registry } from 'prom-client';

/** Group commit as Prometheus sees it: how many intents share a transaction, and how long it takes. */
export function createWriteMetrics(registry: Registry) {
  const size = new Histogram({
    name: 'runlog_write_group_size',
    help: 'Intents (single writes, batch items) committed in one transaction',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'runlog_write_group_duration_seconds',
    help: 'Time from a group\'s first statement to its commit',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const failed = new Counter({ name: 'runlog_write_groups_failed_total', help: 'Groups whose transaction failed (every member answered with the error)', registers: [registry] });
  return {
    observeGroup(intents: number, ms: number, ok: boolean) {
      size.observe(intents);
      seconds.observe(ms / 1000);
      if (!ok) failed.inc();
    },
  };
}

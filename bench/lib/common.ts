import os from 'node:os';

/** Small helpers shared by the benchmarks: settings from the environment, figures, the machine. */

export class BenchUsageError extends Error {}

/** A positive integer from the environment, or the default; a bad value stops the benchmark. */
export function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new BenchUsageError(`${name} must be a positive integer (got "${raw}")`);
  return value;
}

/** One line that says where the figures come from: they mean little without it. */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  const memGb = (os.totalmem() / 2 ** 30).toFixed(1);
  // Other work on the machine skews every figure; the load average says how much there was.
  const load = os.loadavg().map((n) => n.toFixed(2)).join(' ');
  return `machine: ${cpus.length} CPUs (${model}), ${memGb} GB, Node ${process.version}, ${os.platform()} ${os.arch()}, load average ${load}`;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export function maxOf(samples: ArrayLike<number>): number {
  let max = Number.NaN;
  for (let i = 0; i < samples.length; i++) if (!(samples[i]! <= max)) max = samples[i]!;
  return max;
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `count` events in `ms` as "12,345/s". */
export function rate(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : Number.POSITIVE_INFINITY;
}

export function fmtRate(perSecond: number): string {
  return `${grouped.format(perSecond)}/s`;
}

export function fmtInt(n: number): string {
  return grouped.format(n);
}

export function fmtMs(ms: number): string {
  if (Number.isNaN(ms)) return '-';
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Fixed-width columns, so the lines of one table line up. */
export function row(cells: Array<[string, number]>): string {
  return cells.map(([text, width]) => text.padEnd(width)).join(' ').trimEnd();
}

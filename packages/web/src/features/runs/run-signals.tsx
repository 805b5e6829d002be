import { duration, usd, count, relativeTime } from '../../lib/format.ts';
import type { Run, Step } from '../../lib/types.ts';
import { LatencyBadge, RiskBadge } from '../ui/badges.tsx';

export interface Limits { max_cost_usd: number; max_tokens: number; max_duration_ms: number }

function share(used: number | null, limit: number | undefined): number | null {
  return used === null || !limit ? null : used / limit;
}

/** Why the risk level is what it is: the closest limit and how much of it is used. */
export function riskCause(run: Run, limits: Limits | null, now: number): string {
  if (!limits) return run.risk_level === 'OK' ? 'within limits' : 'no limits known for this run';
  const tokens = run.input_tokens === null && run.output_tokens === null ? null : (run.input_tokens ?? 0) + (run.output_tokens ?? 0);
  const elapsed = run.duration_ms ?? (run.started_at ? now - Date.parse(run.started_at) : null);
  const parts = [
    { ratio: share(run.estimated_cost_usd, limits.max_cost_usd), text: `cost ${usd(run.estimated_cost_usd)} of ${usd(limits.max_cost_usd)} limit` },
    { ratio: share(tokens, limits.max_tokens), text: `tokens ${count(tokens)} of ${count(limits.max_tokens)} limit` },
    { ratio: share(elapsed, limits.max_duration_ms), text: `duration ${duration(elapsed)} of ${duration(limits.max_duration_ms)} limit` },
  ].filter((p) => p.ratio !== null).sort((a, b) => b.ratio! - a.ratio!);
  const top = parts[0];
  return top ? `${top.text} (${Math.round(top.ratio! * 100)}%)` : 'nothing used yet';
}

function latencyCause(run: Run, now: number): string {
  if (run.latency_bucket === 'STALLED') return `no sign of life since ${relativeTime(run.last_seen_at, now)}`;
  if (run.latency_bucket === 'SLOW') return `took ${duration(run.duration_ms ?? (run.started_at ? now - Date.parse(run.started_at) : null))}, slower than usual for this agent`;
  return run.state === 'LIVE' ? `last seen ${relativeTime(run.last_seen_at, now)}` : 'finished in usual time';
}

function evidenceCause(run: Run, steps: Step[]): string {
  const failed = steps.filter((s) => s.status === 'failed' || s.outcome_category === 'error').length;
  if (run.evidence_health === 'MISSING') return steps.length ? 'steps recorded but no usable evidence' : 'no steps were recorded';
  if (run.evidence_health === 'DEGRADED') return `${failed} of ${steps.length} steps failed or errored`;
  return `${steps.length} step${steps.length === 1 ? '' : 's'} recorded`;
}

function integrityCause(run: Run): string {
  if (run.integrity_status === 'INCOMPLETE') return run.state === 'LIVE' ? 'the run has not finished' : 'usage or output is missing from the finished run';
  if (run.integrity_status === 'VERIFIED') return 'usage and output reported';
  return 'not enough reported to verify';
}

/** The four derived signals, each with what caused it. */
export function RunSignals({ run, steps, limits, now }: { run: Run; steps: Step[]; limits: Limits | null; now: number }) {
  const word = (v: string | null) => (v ? v.toLowerCase().replace('_', ' ') : '—');
  return (
    <dl className="signals">
      <div><dt>Risk</dt><dd><RiskBadge risk={run.risk_level} /> <span className="cause">{riskCause(run, limits, now)}</span></dd></div>
      <div><dt>Latency</dt><dd><LatencyBadge latency={run.latency_bucket} /> <span className="cause">{latencyCause(run, now)}</span></dd></div>
      <div><dt>Evidence</dt><dd><span className={`badge evidence-${run.evidence_health ?? 'none'}`}>{word(run.evidence_health)}</span> <span className="cause">{evidenceCause(run, steps)}</span></dd></div>
      <div><dt>Integrity</dt><dd><span className={`badge integrity-${run.integrity_status ?? 'none'}`}>{word(run.integrity_status)}</span> <span className="cause">{integrityCause(run)}</span></dd></div>
    </dl>
  );
}

import { Link } from 'wouter';
import { duration, usd, count } from '../../lib/format.ts';
import type { Run } from '../../lib/types.ts';
import { LatencyBadge, RiskBadge, StatusBadge } from '../ui/badges.tsx';
import { Time, useNow } from '../ui/time.tsx';

/** A live run's duration ticks: now minus its start, until it finishes. */
export function runDuration(run: Run, now: number): number | null {
  if (run.duration_ms !== null) return run.duration_ms;
  if (run.state === 'LIVE' && run.started_at) return Math.max(0, now - Date.parse(run.started_at));
  return null;
}

export function RunsTable({ runs, caption, compact = false }: { runs: Run[]; caption: string; compact?: boolean }) {
  const now = useNow(1000);
  return (
    <div className="table-scroll">
      <table className="data">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Status</th>
            <th scope="col">Agent / work unit</th>
            {!compact && <th scope="col">Source</th>}
            <th scope="col">Started</th>
            <th scope="col" className="num">Duration</th>
            {!compact && <th scope="col" className="num">Tokens</th>}
            <th scope="col" className="num">Cost</th>
            <th scope="col">Risk</th>
            {!compact && <th scope="col">Latency</th>}
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id}>
              <td className="mono"><Link href={`/runs/${encodeURIComponent(run.id)}`} title={run.id}>{run.id.length > 24 ? `${run.id.slice(0, 24)}…` : run.id}</Link></td>
              <td><StatusBadge status={run.status} /></td>
              <td>{run.agent_id ?? run.work_unit_name ?? run.work_unit_id ?? <span className="muted">—</span>}</td>
              {!compact && <td>{run.source ?? <span className="muted">—</span>}</td>}
              <td><Time iso={run.started_at ?? run.created_at} now={now} /></td>
              <td className="num">{duration(runDuration(run, now))}</td>
              {!compact && <td className="num">{run.input_tokens === null && run.output_tokens === null ? '—' : count((run.input_tokens ?? 0) + (run.output_tokens ?? 0))}</td>}
              <td className="num">{usd(run.estimated_cost_usd)}</td>
              <td><RiskBadge risk={run.risk_level} /></td>
              {!compact && <td><LatencyBadge latency={run.latency_bucket} /></td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

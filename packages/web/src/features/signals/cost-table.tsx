import { Link } from 'wouter';
import { usd } from '../../lib/format.ts';
import type { AgentCost } from './signals-api.ts';

/** Cost per agent today against its 7-day baseline; anomalies say by how much. */
export function CostTable({ agents }: { agents: AgentCost[] }) {
  return (
    <div className="table-scroll">
      <table className="data">
        <caption className="sr-only">Cost per agent today</caption>
        <thead>
          <tr><th scope="col">Agent</th><th scope="col" className="num">Runs</th><th scope="col" className="num">Cost today</th><th scope="col" className="num">7-day mean</th><th scope="col" className="num">z</th><th scope="col">Anomaly</th></tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <tr key={a.agent_id} className={a.is_anomaly ? 'row-alert' : undefined}>
              <td><Link href={`/runs?agent_id=${encodeURIComponent(a.agent_id)}`}>{a.agent_id}</Link></td>
              <td className="num">{a.run_count}</td>
              <td className="num">{usd(a.current_cost_usd)}</td>
              <td className="num">{a.has_baseline ? usd(a.baseline_avg_usd) : <span className="muted" title="fewer than the runs a baseline needs">no baseline</span>}</td>
              <td className="num">{a.z_score === null ? '—' : a.z_score.toFixed(1)}</td>
              <td>{a.is_anomaly
                ? <span className="badge risk-VIOLATED"><span aria-hidden="true">▲</span> anomaly: z = {a.z_score?.toFixed(1)} against {usd(a.baseline_avg_usd)}</span>
                : <span className="muted">no</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { apiGet } from '../lib/api-client.ts';
import type { RunPage } from '../lib/types.ts';
import { useUrlState } from '../lib/url-state.ts';
import { RunsTable } from '../features/runs/runs-table.tsx';
import { AttentionList } from '../features/signals/attention-list.tsx';
import { CostTable } from '../features/signals/cost-table.tsx';
import { useAttention, useCostAnalysis, usePatterns, type Pattern } from '../features/signals/signals-api.ts';
import { EmptyState, ErrorState, Figure, Skeleton } from '../features/ui/states.tsx';

const TABS = [['attention', 'Attention queue'], ['patterns', 'Patterns'], ['cost', 'Cost analysis'], ['risk', 'Risk']] as const;
const PATTERN_TEXT: Record<string, string> = {
  retry_loop: 'Retry loop: a step retried again and again',
  step_oscillation: 'Step oscillation: runs bouncing between two steps',
  tool_call_loop: 'Tool-call loop: the same tool called in a row',
  timeout_cascade: 'Timeout cascade: slow steps following each other',
};

function Patterns() {
  const [params, update] = useUrlState();
  const window = params.get('window') ?? '24h';
  const q = usePatterns(window);
  return (
    <>
      <label className="inline"><span>Window</span>
        <select value={window} onChange={(e) => update({ window: e.target.value })}>
          {['1h', '24h', '7d'].map((w) => <option key={w} value={w}>{w}</option>)}
        </select>
      </label>
      {q.isPending ? <Skeleton rows={4} /> : q.isError ? <ErrorState what="patterns" error={q.error} retry={() => void q.refetch()} />
        : q.data.patterns.length === 0 ? <EmptyState title="No patterns in this window.">Retry loops, oscillations, tool-call loops and timeout cascades are found in the steps of runs.</EmptyState>
        : <div className="pattern-list">{q.data.patterns.map((p: Pattern) => (
          <article key={p.pattern_type} className="card">
            <h3>{PATTERN_TEXT[p.pattern_type] ?? p.pattern_type}</h3>
            <p><strong className="num">{p.count}</strong> run{p.count === 1 ? '' : 's'} · confidence {(p.confidence * 100).toFixed(0)}%</p>
            <p className="runs-of">{p.run_ids.slice(0, 10).map((id) => <Link key={id} href={`/runs/${encodeURIComponent(id)}`} className="mono chip">{id}</Link>)}</p>
          </article>
        ))}</div>}
    </>
  );
}

function Risk() {
  const levels = ['VIOLATED', 'AT_RISK', 'NEAR_THRESHOLD'] as const;
  const q = useQuery({ queryKey: ['runs', 'risk'], queryFn: () => apiGet<RunPage>('/activity/runs', { risk_level: [...levels], limit: 50 }) });
  if (q.isPending) return <Skeleton rows={5} />;
  if (q.isError) return <ErrorState what="runs at risk" error={q.error} retry={() => void q.refetch()} />;
  if (q.data.runs.length === 0) return <EmptyState title="No run is near a limit." />;
  const by = (l: string) => q.data.runs.filter((r) => r.risk_level === l).length;
  return (
    <>
      <div className="figures">{levels.map((l) => <Figure key={l} label={l.toLowerCase().replace('_', ' ')} value={by(l)} href={`/runs?risk_level=${l}`} tone={l === 'VIOLATED' ? 'tone-alert' : 'tone-warn'} />)}</div>
      <RunsTable runs={q.data.runs} caption="Runs at risk" />
    </>
  );
}

export function SignalsPage() {
  const [params, update] = useUrlState();
  const tab = params.get('tab') ?? 'attention';
  const attention = useAttention(50);
  const cost = useCostAnalysis();
  return (
    <>
      <h1>Signals</h1>
      <div role="tablist" aria-label="Signals" className="tabs">
        {TABS.map(([value, label]) => (
          <button key={value} role="tab" type="button" aria-selected={tab === value} onClick={() => update({ tab: value })}>{label}</button>
        ))}
      </div>
      <div role="tabpanel" className="tabpanel">
        {tab === 'attention' && (attention.isPending ? <Skeleton rows={5} /> : attention.isError ? <ErrorState what="the attention queue" error={attention.error} retry={() => void attention.refetch()} />
          : attention.data.queue.length === 0 ? <EmptyState title="Nothing needs a look." />
          : <>
            <p className="muted">{attention.data.total_attention_items} runs scored; weights {attention.data.weights_version}: {Object.entries(attention.data.weights).map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(' · ')}</p>
            <AttentionList items={attention.data.queue} />
          </>)}
        {tab === 'patterns' && <Patterns />}
        {tab === 'cost' && (cost.isPending ? <Skeleton rows={4} /> : cost.isError ? <ErrorState what="cost analysis" error={cost.error} retry={() => void cost.refetch()} />
          : cost.data.agents.length === 0 ? <EmptyState title="No cost recorded today." /> : <CostTable agents={cost.data.agents} />)}
        {tab === 'risk' && <Risk />}
      </div>
    </>
  );
}

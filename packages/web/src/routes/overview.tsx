import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { apiGet } from '../lib/api-client.ts';
import { count, percent, usd } from '../lib/format.ts';
import type { RunPage } from '../lib/types.ts';
import { useUrlState } from '../lib/url-state.ts';
import { Bars } from '../features/overview/bars.tsx';
import { RunsTable } from '../features/runs/runs-table.tsx';
import { AttentionList } from '../features/signals/attention-list.tsx';
import { CostTable } from '../features/signals/cost-table.tsx';
import { useAttention, useByDimension, useCostAnalysis, useRunSummary } from '../features/signals/signals-api.ts';
import { EmptyState, ErrorState, Figure, Skeleton } from '../features/ui/states.tsx';

const DIMENSIONS = [['agent_id', 'Agent'], ['source', 'Source'], ['provider_type', 'Provider']] as const;

function Figures() {
  const summary = useRunSummary(24);
  const cost = useCostAnalysis();
  const attention = useAttention(10);
  if (summary.isError) return <ErrorState what="the run summary" error={summary.error} retry={() => void summary.refetch()} />;
  const s = summary.data;
  return (
    <div className="figures">
      <Figure label="Runs, last 24 h" value={s ? count(s.total_runs) : '…'} href="/runs" hint={s && <>{count(s.completed)} completed · {count(s.failed)} failed</>} />
      <Figure label="Success rate" value={s ? (s.total_runs ? percent(s.success_rate) : '—') : '…'} tone={s && s.total_runs && s.success_rate < 0.9 ? 'tone-warn' : ''} href="/runs?status=failed" hint={s && s.failed ? `${count(s.failed)} failed` : undefined} />
      <Figure label="Cost today" value={cost.data ? usd(cost.data.total_cost_usd) : '…'} href="/signals?tab=cost" hint={cost.data?.total_anomalies ? `${cost.data.total_anomalies} anomal${cost.data.total_anomalies === 1 ? 'y' : 'ies'}` : undefined} tone={cost.data?.total_anomalies ? 'tone-alert' : ''} />
      <Figure label="Live runs" value={s ? count(s.running + s.pending) : '…'} href="/runs?state=LIVE" hint={s && `${count(s.running)} running · ${count(s.pending)} pending`} />
      <Figure label="Need attention" value={attention.data ? count(attention.data.total_attention_items) : '…'} href="/signals?tab=attention" tone={attention.data?.total_attention_items ? 'tone-warn' : ''} />
    </div>
  );
}

function ByDimension() {
  const [params, update] = useUrlState();
  const dim = params.get('dim') ?? 'agent_id';
  const state = params.get('state') ?? 'COMPLETED';
  const q = useByDimension(dim, state);
  return (
    <section className="card" aria-labelledby="dim-title">
      <div className="card-head">
        <h2 id="dim-title">Runs by dimension</h2>
        <div className="segmented" role="group" aria-label="Dimension">
          {DIMENSIONS.map(([value, label]) => <button key={value} type="button" aria-pressed={dim === value} onClick={() => update({ dim: value })}>{label}</button>)}
        </div>
        <div className="segmented" role="group" aria-label="Runs">
          {(['LIVE', 'COMPLETED'] as const).map((s) => <button key={s} type="button" aria-pressed={state === s} onClick={() => update({ state: s })}>{s === 'LIVE' ? 'Live' : 'Finished'}</button>)}
        </div>
      </div>
      {q.isPending ? <Skeleton rows={4} /> : q.isError ? <ErrorState what="runs by dimension" error={q.error} retry={() => void q.refetch()} />
        : q.data.buckets.length === 0 ? <EmptyState title={state === 'LIVE' ? 'No live runs right now.' : 'No finished runs yet.'} />
        : <Bars label={`Runs by ${dim}`} items={q.data.buckets} hrefOf={(key) => `/runs?${dim}=${encodeURIComponent(key)}&state=${state}`} />}
    </section>
  );
}

function LiveRuns() {
  const q = useQuery({ queryKey: ['runs', 'live', 'overview'], queryFn: () => apiGet<RunPage>('/runs', { state: 'LIVE', limit: 10 }) });
  return (
    <section className="card" aria-labelledby="live-title">
      <div className="card-head"><h2 id="live-title">Live runs</h2><Link href="/runs?state=LIVE">All live runs</Link></div>
      {q.isPending ? <Skeleton rows={3} /> : q.isError ? <ErrorState what="live runs" error={q.error} retry={() => void q.refetch()} />
        : q.data.runs.length === 0 ? <EmptyState title="Nothing is running.">Runs appear here as soon as an agent starts one (<code>POST /api/v1/runs</code>, the SDK, or <code>runlog demo</code>).</EmptyState>
        : <RunsTable runs={q.data.runs} caption="Live runs" compact />}
    </section>
  );
}

export function OverviewPage() {
  const attention = useAttention(10);
  const cost = useCostAnalysis();
  return (
    <>
      <h1>Overview</h1>
      <Figures />
      <div className="grid-2">
        <section className="card" aria-labelledby="att-title">
          <div className="card-head"><h2 id="att-title">Needs attention</h2><Link href="/signals?tab=attention">Attention queue</Link></div>
          {attention.isPending ? <Skeleton rows={4} /> : attention.isError ? <ErrorState what="the attention queue" error={attention.error} retry={() => void attention.refetch()} />
            : attention.data.queue.length === 0 ? <EmptyState title="Nothing needs a look.">Failed, stalled, slow and over-limit runs are listed here with their reasons.</EmptyState>
            : <AttentionList items={attention.data.queue} />}
        </section>
        <ByDimension />
      </div>
      <LiveRuns />
      <section className="card" aria-labelledby="cost-title">
        <div className="card-head"><h2 id="cost-title">Cost per agent today</h2><Link href="/signals?tab=cost">Cost analysis</Link></div>
        {cost.isPending ? <Skeleton rows={3} /> : cost.isError ? <ErrorState what="cost analysis" error={cost.error} retry={() => void cost.refetch()} />
          : cost.data.agents.length === 0 ? <EmptyState title="No cost recorded today.">Runs that report tokens or a cost are priced and summed per agent here.</EmptyState>
          : <CostTable agents={cost.data.agents} />}
      </section>
    </>
  );
}

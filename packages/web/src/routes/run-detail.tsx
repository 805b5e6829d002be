import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'wouter';
import { ApiError, apiGet, apiSend, errorText } from '../lib/api-client.ts';
import { absoluteTime, count, duration, usd } from '../lib/format.ts';
import { permissions, useMe } from '../lib/session.ts';
import type { Run, Step } from '../lib/types.ts';
import { FeedList } from '../features/activity/feed-list.tsx';
import { useFeed } from '../features/activity/use-feed.ts';
import { runDuration } from '../features/runs/runs-table.tsx';
import { RunSignals, type Limits } from '../features/runs/run-signals.tsx';
import { StepTimeline } from '../features/runs/step-timeline.tsx';
import { StatusBadge } from '../features/ui/badges.tsx';
import { EmptyState, ErrorState, Skeleton } from '../features/ui/states.tsx';
import { Time, useNow } from '../features/ui/time.tsx';
import { JsonTree } from '../render/json-tree.tsx';

async function allSteps(id: string): Promise<Step[]> {
  const steps: Step[] = [];
  let after: number | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await apiGet<{ steps: Step[]; next_after_index: number | null }>(`/runs/${encodeURIComponent(id)}/steps`, { limit: 1000, after_index: after });
    steps.push(...res.steps);
    if (res.next_after_index === null) break;
    after = res.next_after_index;
  }
  return steps;
}

function Payload({ label, value }: { label: string; value: unknown }) {
  return (
    <section className="card" aria-label={label}>
      <h2>{label}</h2>
      {value === null || value === undefined ? <p className="muted">None recorded.</p>
        : typeof value === 'string' ? <pre className="text-payload">{value}</pre> : <JsonTree value={value} />}
    </section>
  );
}

function CancelButton({ run }: { run: Run }) {
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button type="button" className="danger" onClick={() => {
        if (!confirm(`Cancel run ${run.id}?`)) return;
        apiSend<Run>('POST', `/runs/${encodeURIComponent(run.id)}/cancel`, {})
          .then((r) => client.setQueryData(['run', run.id], r), (e) => setError(errorText(e)));
      }}>Cancel run</button>
      {error && <span className="form-error" role="alert">{error}</span>}
    </>
  );
}

export function RunDetailPage() {
  const { id } = useParams<{ id: string }>();
  const runId = decodeURIComponent(id);
  const now = useNow(1000);
  const me = useMe();
  const { canWrite } = permissions(me.data);
  const run = useQuery({ queryKey: ['run', runId], queryFn: () => apiGet<Run>(`/runs/${encodeURIComponent(runId)}`), staleTime: 30_000 });
  const steps = useQuery({ queryKey: ['steps', runId], queryFn: () => allSteps(runId), staleTime: Infinity });
  const project = useQuery({
    queryKey: ['project', run.data?.project_id], enabled: Boolean(run.data?.project_id),
    queryFn: () => apiGet<{ limits: Limits }>(`/projects/${encodeURIComponent(run.data!.project_id!)}`), retry: false, staleTime: 60_000,
  });
  const activity = useFeed({ run_id: runId });

  if (run.isPending) return <Skeleton rows={6} />;
  if (run.isError) {
    if (run.error instanceof ApiError && run.error.status === 404) return <EmptyState title={`No run ${runId}.`}>It may belong to another team, or the link is wrong. <a href="/runs">See all runs</a>.</EmptyState>;
    return <ErrorState what={`run ${runId}`} error={run.error} retry={() => void run.refetch()} />;
  }
  const r = run.data;
  const tokens = r.input_tokens === null && r.output_tokens === null ? null : (r.input_tokens ?? 0) + (r.output_tokens ?? 0);
  return (
    <>
      <div className="page-head">
        <h1><span className="muted">Run</span> <span className="mono">{r.id}</span></h1>
        <StatusBadge status={r.status} />
        {r.state === 'LIVE' && <span className="chip chip-live">live</span>}
        <span className="spacer" />
        {canWrite && r.state === 'LIVE' && <CancelButton run={r} />}
      </div>
      <dl className="facts card">
        <div><dt>Agent</dt><dd>{r.agent_id ?? '—'}</dd></div>
        <div><dt>Work unit</dt><dd>{r.work_unit_id ? <Link href={`/work-units/${encodeURIComponent(r.work_unit_id)}`}>{r.work_unit_name ?? r.work_unit_id}</Link> : '—'}</dd></div>
        <div><dt>Started</dt><dd><Time iso={r.started_at} now={now} /> <span className="muted small">{absoluteTime(r.started_at)}</span></dd></div>
        <div><dt>Finished</dt><dd>{r.completed_at ? <Time iso={r.completed_at} now={now} /> : '—'}</dd></div>
        <div><dt>Duration</dt><dd className="num" aria-live="off">{duration(runDuration(r, now))}</dd></div>
        <div><dt>Tokens</dt><dd className="num" title={`input ${count(r.input_tokens)} · output ${count(r.output_tokens)} · cache read ${count(r.cache_read_tokens)}`}>{count(tokens)}</dd></div>
        <div><dt>Cost</dt><dd className="num">{usd(r.estimated_cost_usd)} <span className="muted small">{r.cost_source ?? ''}</span></dd></div>
        <div><dt>Model</dt><dd>{r.model ?? '—'} <span className="muted small">{r.provider_type ?? ''}</span></dd></div>
        <div><dt>Source</dt><dd>{r.source ?? '—'}</dd></div>
        {r.session_id && <div><dt>Session</dt><dd><Link className="mono" href={`/sessions/${encodeURIComponent(r.session_id)}`}>{r.session_id}</Link></dd></div>}
      </dl>
      {r.error && <div className="state state-error" role="note"><strong>Error{r.error_type ? ` (${r.error_type})` : ''}:</strong> <span>{r.error}</span></div>}
      <section className="card" aria-labelledby="sig-title">
        <h2 id="sig-title">Signals</h2>
        <RunSignals run={r} steps={steps.data ?? []} limits={project.data?.limits ?? null} now={now} />
      </section>
      <section className="card" aria-labelledby="steps-title">
        <h2 id="steps-title">Steps {steps.data ? <span className="muted">({steps.data.length})</span> : null}</h2>
        {steps.isPending ? <Skeleton rows={4} /> : steps.isError ? <ErrorState what="steps" error={steps.error} retry={() => void steps.refetch()} />
          : steps.data.length === 0 ? <EmptyState title="No steps recorded.">Steps arrive with <code>POST /runs/{'{id}'}/steps</code> and show here as they come.</EmptyState>
          : <StepTimeline steps={steps.data} runStart={r.started_at} now={now} />}
      </section>
      <div className="grid-2">
        <Payload label="Input" value={r.input_data} />
        <Payload label="Output" value={r.output_data} />
      </div>
      <section className="card" aria-labelledby="ra-title">
        <h2 id="ra-title">Activity of this run</h2>
        {activity.isPending ? <Skeleton rows={3} /> : activity.isError ? <ErrorState what="the run's activity" error={activity.error} />
          : activity.data.items.length === 0 ? <p className="muted">No activity recorded for this run.</p>
          : <div className="feed-short"><FeedList items={activity.data.items} /></div>}
      </section>
    </>
  );
}

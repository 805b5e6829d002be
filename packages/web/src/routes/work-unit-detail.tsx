import { useQuery } from '@tanstack/react-query';
import { Link, useLocation, useParams } from 'wouter';
import { ApiError, apiGet, apiSend } from '../lib/api-client.ts';
import { duration, usd, count } from '../lib/format.ts';
import { permissions, useMe } from '../lib/session.ts';
import { useUrlState } from '../lib/url-state.ts';
import { StatusBadge } from '../features/ui/badges.tsx';
import { EmptyState, ErrorState, Skeleton } from '../features/ui/states.tsx';
import { Time } from '../features/ui/time.tsx';
import { useAction } from '../features/ui/use-action.ts';
import { JsonTree } from '../render/json-tree.tsx';
import type { WorkUnit } from './work-units.tsx';

function limitsText(limits: WorkUnit['limits'] | null): string {
  const parts = [
    limits?.max_cost_usd != null ? `${usd(limits.max_cost_usd)} cost` : null,
    limits?.max_tokens != null ? `${count(limits.max_tokens)} tokens` : null,
    limits?.max_duration_ms != null ? `${duration(limits.max_duration_ms)} duration` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'none set';
}

interface UnitRun { run_id: string; status: string; started_at: string | null; completed_at: string | null; duration_ms: number | null; error: string | null; created_at: string }

export function WorkUnitDetailPage() {
  const { id } = useParams<{ id: string }>();
  const unitId = decodeURIComponent(id);
  const [params, update] = useUrlState();
  const page = Number(params.get('page') ?? 1);
  const [, navigate] = useLocation();
  const me = useMe();
  const { canWrite } = permissions(me.data);
  const execute = useAction();
  const unit = useQuery({ queryKey: ['work-unit', unitId], queryFn: () => apiGet<WorkUnit>(`/work-units/${encodeURIComponent(unitId)}`) });
  const runs = useQuery({ queryKey: ['work-unit-runs', unitId, page], queryFn: () => apiGet<{ runs: UnitRun[]; total: number; limit: number }>(`/work-units/${encodeURIComponent(unitId)}/runs`, { page, limit: 25 }) });
  if (unit.isPending) return <Skeleton rows={6} />;
  if (unit.isError) {
    if (unit.error instanceof ApiError && unit.error.status === 404) return <EmptyState title={`No work unit ${unitId}.`}><a href="/work-units">See all work units</a>.</EmptyState>;
    return <ErrorState what={`work unit ${unitId}`} error={unit.error} retry={() => void unit.refetch()} />;
  }
  const w = unit.data;
  const pages = runs.data ? Math.max(1, Math.ceil(runs.data.total / runs.data.limit)) : 1;
  return (
    <>
      <div className="page-head">
        <h1>{w.name} <span className="mono muted small">{w.id}</span></h1>
        <span className="spacer" />
        {canWrite && w.executor && (
          <button type="button" className="primary" disabled={execute.busy} onClick={() => void execute.run(async () => {
            const run = await apiSend<{ id?: string; run_id?: string }>('POST', `/work-units/${encodeURIComponent(w.id)}/run`, {});
            const runId = run.id ?? run.run_id;
            if (runId) navigate(`/runs/${encodeURIComponent(runId)}`);
          })}>{execute.busy ? 'Starting…' : 'Execute'}</button>
        )}
        {execute.error && <span className="form-error" role="alert">{execute.error}</span>}
      </div>
      {w.description && <p>{w.description}</p>}
      <dl className="facts card">
        <div><dt>Kind</dt><dd>{w.kind} · {w.type}</dd></div>
        <div><dt>Version</dt><dd>{w.version ?? '—'}</dd></div>
        <div><dt>Author</dt><dd>{w.author ?? '—'}</dd></div>
        <div><dt>Executor</dt><dd>{w.executor ? <>{w.executor.type} <span className="mono small">{w.executor.url}</span></> : 'none (runs are reported, not started here)'}</dd></div>
        <div><dt>Limits</dt><dd>{limitsText(w.limits)}</dd></div>
        <div><dt>Registered</dt><dd><Time iso={w.registered_at} /></dd></div>
      </dl>
      {Object.keys(w.metadata ?? {}).length > 0 && <section className="card"><h2>Metadata</h2><JsonTree value={w.metadata} /></section>}
      <section className="card" aria-labelledby="wr-title">
        <h2 id="wr-title">Runs {runs.data && <span className="muted">({runs.data.total})</span>}</h2>
        {runs.isPending ? <Skeleton rows={5} /> : runs.isError ? <ErrorState what="runs" error={runs.error} retry={() => void runs.refetch()} />
          : runs.data.runs.length === 0 ? <EmptyState title="Never run." />
          : (
            <>
              <table className="data">
                <caption className="sr-only">Runs of this work unit</caption>
                <thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col" className="num">Duration</th><th scope="col">Error</th></tr></thead>
                <tbody>{runs.data.runs.map((r) => (
                  <tr key={r.run_id}>
                    <td className="mono"><Link href={`/runs/${encodeURIComponent(r.run_id)}`}>{r.run_id}</Link></td>
                    <td><StatusBadge status={r.status} /></td>
                    <td><Time iso={r.started_at ?? r.created_at} /></td>
                    <td className="num">{duration(r.duration_ms)}</td>
                    <td className="truncate" title={r.error ?? undefined}>{r.error ?? ''}</td>
                  </tr>
                ))}</tbody>
              </table>
              <div className="pager">
                <button type="button" disabled={page <= 1} onClick={() => update({ page: String(page - 1) })}>Previous</button>
                <span>Page {page} of {pages}</span>
                <button type="button" disabled={page >= pages} onClick={() => update({ page: String(page + 1) })}>Next</button>
              </div>
            </>
          )}
      </section>
    </>
  );
}

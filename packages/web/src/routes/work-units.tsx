import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { apiGet } from '../lib/api-client.ts';
import { useUrlState } from '../lib/url-state.ts';
import { StatusBadge } from '../features/ui/badges.tsx';
import { EmptyState, ErrorState, Skeleton } from '../features/ui/states.tsx';
import { Time } from '../features/ui/time.tsx';

export interface WorkUnit {
  id: string; name: string; version: string | null; kind: 'agent' | 'pipeline' | 'workflow'; type: 'atomic' | 'composite';
  author: string | null; description: string | null; metadata: Record<string, unknown>;
  limits: { max_cost_usd: number; max_tokens: number; max_duration_ms: number };
  executor: { type: string; url: string; has_secret: boolean } | null; registered_at: string; updated_at: string;
  latest_run_id: string | null; latest_run_status: string | null; latest_run_at: string | null; total_runs: number;
}

export function WorkUnitsPage() {
  const [params, update] = useUrlState();
  const kind = params.get('kind') ?? '';
  const cursor = params.get('cursor') ?? undefined;
  const q = useQuery({ queryKey: ['work-units', kind, cursor], queryFn: () => apiGet<{ work_units: WorkUnit[]; next_cursor: string | null }>('/work-units', { kind: kind || undefined, cursor, limit: 50 }) });
  return (
    <>
      <div className="page-head">
        <h1>Work units</h1>
        <label className="inline"><span>Kind</span>
          <select value={kind} onChange={(e) => update({ kind: e.target.value, cursor: null })}>
            <option value="">any</option><option value="agent">agent</option><option value="pipeline">pipeline</option><option value="workflow">workflow</option>
          </select>
        </label>
      </div>
      {q.isPending ? <Skeleton rows={6} /> : q.isError ? <ErrorState what="work units" error={q.error} retry={() => void q.refetch()} />
        : q.data.work_units.length === 0 ? (
          <EmptyState title="No work units registered.">
            <pre className="snippet">{`curl -X POST ${location.origin}/api/v1/work-units -H "Authorization: Bearer $RUNLOG_API_KEY" \\
  -H "Content-Type: application/json" -d '{"id":"nightly-report","name":"Nightly report","kind":"pipeline"}'`}</pre>
          </EmptyState>
        ) : (
          <>
            <div className="table-scroll">
              <table className="data">
                <caption className="sr-only">Registered work units</caption>
                <thead><tr><th scope="col">Work unit</th><th scope="col">Kind</th><th scope="col">Executor</th><th scope="col" className="num">Runs</th><th scope="col">Latest run</th></tr></thead>
                <tbody>
                  {q.data.work_units.map((w) => (
                    <tr key={w.id}>
                      <td><Link href={`/work-units/${encodeURIComponent(w.id)}`}>{w.name}</Link> <span className="mono muted small">{w.id}</span></td>
                      <td>{w.kind} <span className="muted">· {w.type}</span></td>
                      <td>{w.executor ? w.executor.type : <span className="muted">none</span>}</td>
                      <td className="num">{w.total_runs.toLocaleString('en-US')}</td>
                      <td>{w.latest_run_id ? <><StatusBadge status={w.latest_run_status} /> <Time iso={w.latest_run_at} /></> : <span className="muted">never run</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="pager">
              {cursor && <button type="button" onClick={() => update({ cursor: null })}>First page</button>}
              {q.data.next_cursor && <button type="button" onClick={() => update({ cursor: q.data.next_cursor })}>Next page</button>}
            </div>
          </>
        )}
    </>
  );
}

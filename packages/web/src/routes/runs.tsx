import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../lib/api-client.ts';
import type { RunPage } from '../lib/types.ts';
import { useUrlState } from '../lib/url-state.ts';
import { RunsTable } from '../features/runs/runs-table.tsx';
import { EmptyState, ErrorState, Skeleton } from '../features/ui/states.tsx';

const SELECTS = [
  ['status', 'Status', ['pending', 'running', 'completed', 'failed', 'cancelled']],
  ['state', 'State', ['LIVE', 'COMPLETED']],
  ['risk_level', 'Risk', ['OK', 'NEAR_THRESHOLD', 'AT_RISK', 'VIOLATED']],
  ['latency_bucket', 'Latency', ['NORMAL', 'SLOW', 'STALLED']],
] as const;
const TEXTS = [['agent_id', 'Agent'], ['work_unit_id', 'Work unit'], ['source', 'Source'], ['provider_type', 'Provider']] as const;
const WINDOWS = [['', 'Any time'], ['1', 'Last hour'], ['24', 'Last 24 h'], ['168', 'Last 7 days']] as const;
const FILTER_KEYS = [...SELECTS.map((s) => s[0]), ...TEXTS.map((t) => t[0]), 'hours'];

export function RunsPage() {
  const [params, update] = useUrlState();
  const query: Record<string, string | number | undefined> = { limit: 50, cursor: params.get('cursor') ?? undefined };
  for (const key of FILTER_KEYS) if (key !== 'hours' && params.get(key)) query[key] = params.get(key)!;
  const hours = Number(params.get('hours') ?? 0);
  // Rounded to the minute so the query key (and its cache) is stable while the page is open.
  if (hours) query.started_after = new Date(Math.floor(Date.now() / 60_000) * 60_000 - hours * 3_600_000).toISOString();
  const runs = useQuery({ queryKey: ['runs', 'list', query], queryFn: () => apiGet<RunPage>('/runs', query) });
  const set = (key: string, value: string) => update({ [key]: value || null, cursor: null });
  const filtered = FILTER_KEYS.some((k) => params.get(k));

  return (
    <>
      <h1>Runs</h1>
      <form className="filters" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        {SELECTS.map(([key, label, values]) => (
          <label key={key}>
            <span>{label}</span>
            <select value={params.get(key) ?? ''} onChange={(e) => set(key, e.target.value)}>
              <option value="">any</option>
              {values.map((v) => <option key={v} value={v}>{v.toLowerCase().replace('_', ' ')}</option>)}
            </select>
          </label>
        ))}
        {TEXTS.map(([key, label]) => (
          <label key={key}>
            <span>{label}</span>
            <input defaultValue={params.get(key) ?? ''} placeholder="any" onKeyDown={(e) => { if (e.key === 'Enter') set(key, e.currentTarget.value.trim()); }} onBlur={(e) => set(key, e.currentTarget.value.trim())} />
          </label>
        ))}
        <label>
          <span>Started</span>
          <select value={params.get('hours') ?? ''} onChange={(e) => set('hours', e.target.value)}>
            {WINDOWS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
          </select>
        </label>
        {filtered && <button type="button" className="link" onClick={() => update(Object.fromEntries([...FILTER_KEYS, 'cursor'].map((k) => [k, null])))}>Clear filters</button>}
      </form>
      {runs.isPending ? <Skeleton rows={10} /> : runs.isError ? <ErrorState what="runs" error={runs.error} retry={() => void runs.refetch()} />
        : runs.data.runs.length === 0 ? (
          <EmptyState title={filtered ? 'No runs match these filters.' : 'No runs yet.'}>
            {!filtered && <pre className="snippet">{`curl -X POST ${location.origin}/api/v1/runs -H "Authorization: Bearer $RUNLOG_API_KEY" \\
  -H "Content-Type: application/json" -d '{"agent_id":"my-agent","status":"running"}'`}</pre>}
          </EmptyState>
        ) : (
          <>
            <RunsTable runs={runs.data.runs} caption="Runs, newest first" />
            <div className="pager">
              {params.get('cursor') && <button type="button" onClick={() => update({ cursor: null })}>First page</button>}
              {runs.data.next_cursor && <button type="button" onClick={() => update({ cursor: runs.data.next_cursor })}>Next page</button>}
            </div>
          </>
        )}
    </>
  );
}

import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { apiGet, apiSend, errorText } from '../lib/api-client.ts';
import type { FeedFilters } from '../lib/live-cache.ts';
import { permissions, useMe } from '../lib/session.ts';
import { useUrlState } from '../lib/url-state.ts';
import { FeedFilterBar } from '../features/activity/feed-filters.tsx';
import { FeedList } from '../features/activity/feed-list.tsx';
import { useFeed } from '../features/activity/use-feed.ts';
import { ConnectionState } from '../features/shell/shell.tsx';
import { EmptyState, ErrorState, Skeleton } from '../features/ui/states.tsx';

function TestActivityButton() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <button type="button" disabled={busy} onClick={() => {
        setBusy(true);
        apiSend('POST', '/activities/test').then(() => setError(null), (e) => setError(errorText(e))).finally(() => setBusy(false));
      }}>Send a test activity</button>
      {error && <span className="form-error" role="alert">{error}</span>}
    </>
  );
}

export function ActivityPage() {
  const [params, update] = useUrlState();
  const filters: FeedFilters = {};
  for (const key of ['type', 'user_id', 'session_id', 'source'] as const) if (params.get(key)) filters[key] = params.get(key)!;
  const feed = useFeed(filters);
  const me = useMe();
  const { canWrite } = permissions(me.data);
  const stats = useQuery({ queryKey: ['overview', 'activity-stats'], queryFn: () => apiGet<{ total: number }>('/activities/summary', { hours: 24 }) });

  return (
    <>
      <div className="page-head">
        <h1>Live activity</h1>
        <ConnectionState />
        {stats.data && <span className="muted">{stats.data.total.toLocaleString('en-US')} in the last 24 h</span>}
        <span className="spacer" />
        {canWrite && <TestActivityButton />}
      </div>
      <FeedFilterBar filters={filters} onApply={(f) => update({ type: f.type, user_id: f.user_id, session_id: f.session_id, source: f.source })} />
      {feed.isPending ? <Skeleton rows={8} />
        : feed.isError ? <ErrorState what="the activity feed" error={feed.error} retry={() => void feed.refetch()} />
        : feed.data.items.length === 0 ? (
          <EmptyState title={Object.keys(filters).length ? 'No activity matches these filters.' : 'No activity yet.'}>
            <p>Activities appear here the moment they are recorded. Send one:</p>
            <pre className="snippet">{`curl -X POST ${location.origin}/api/v1/activities \\
  -H "Authorization: Bearer $RUNLOG_API_KEY" -H "Content-Type: application/json" \\
  -d '{"action_name":"deploy","target_name":"api","status":"success"}'`}</pre>
          </EmptyState>
        ) : (
          <FeedList items={feed.data.items} footer={
            <div className="feed-footer">
              {feed.data.cursor
                ? <button type="button" disabled={feed.loadingOlder} onClick={() => void feed.loadOlder()}>{feed.loadingOlder ? 'Loading…' : 'Load older activity'}</button>
                : <span className="muted">That is everything{Object.keys(filters).length ? ' matching these filters' : ''}.</span>}
            </div>
          } />
        )}
    </>
  );
}

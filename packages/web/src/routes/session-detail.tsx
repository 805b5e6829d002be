import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'wouter';
import { ApiError, apiGet } from '../lib/api-client.ts';
import { clockTime, duration } from '../lib/format.ts';
import type { Activity } from '../lib/types.ts';
import { ActivityRender } from '../render/activity-render.tsx';
import { StatusBadge } from '../features/ui/badges.tsx';
import { EmptyState, ErrorState, Skeleton } from '../features/ui/states.tsx';
import { Time } from '../features/ui/time.tsx';
import type { AssistantSession } from './sessions.tsx';

/** Tool calls arrive as a Pre and a Post half; the timeline shows the finished call once. */
function timelineOf(activities: Activity[]): Activity[] {
  const finished = new Set(activities.filter((a) => a.id.endsWith(':post')).map((a) => a.id.replace(/:post$/, ':pre')));
  return activities.filter((a) => !finished.has(a.id));
}

function Entry({ a, start }: { a: Activity; start: number }) {
  const [open, setOpen] = useState(false);
  const kind = a.type === 'prompt' ? 'prompt' : a.type === 'tool' ? 'tool' : 'event';
  return (
    <li className={`tl-${kind}${a.status === 'failed' ? ' tl-failed' : ''}`}>
      <button type="button" className="tl-line" aria-expanded={open} onClick={() => setOpen(!open)}>
        <time dateTime={a.occurred_at} className="mono">{clockTime(a.occurred_at)}</time>
        <span className="muted small num">+{duration(Date.parse(a.occurred_at) - start)}</span>
        <span className="chip">{kind === 'tool' ? a.action_name : a.action_name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}</span>
        <span className="tl-target">{a.target_name ?? ''}</span>
        {a.type === 'tool' && <StatusBadge status={a.status} />}
        <span className="num">{a.duration_ms !== null ? duration(a.duration_ms) : ''}</span>
      </button>
      {open && <div className="tl-detail"><ActivityRender data={a.data} render={a.schema_render} status={a.processing_status} /></div>}
    </li>
  );
}

export function SessionDetailPage() {
  const { id } = useParams<{ id: string }>();
  const sessionId = decodeURIComponent(id);
  const q = useQuery({ queryKey: ['sessions', 'one', sessionId], queryFn: () => apiGet<{ session: AssistantSession; activities: Activity[] }>(`/sessions/${encodeURIComponent(sessionId)}`) });
  if (q.isPending) return <Skeleton rows={8} />;
  if (q.isError) {
    if (q.error instanceof ApiError && q.error.status === 404) return <EmptyState title={`No session ${sessionId}.`}><a href="/sessions">See all sessions</a>.</EmptyState>;
    return <ErrorState what={`session ${sessionId}`} error={q.error} retry={() => void q.refetch()} />;
  }
  const { session: s, activities } = q.data;
  const start = Date.parse(s.first_at);
  return (
    <>
      <div className="page-head"><h1><span className="muted">Session</span> <span className="mono">{s.session_id}</span></h1></div>
      <dl className="facts card">
        <div><dt>Who</dt><dd>{s.user_id ?? '—'}</dd></div>
        <div><dt>Repository</dt><dd className="mono">{s.cwd ?? '—'}</dd></div>
        <div><dt>Started</dt><dd><Time iso={s.first_at} /></dd></div>
        <div><dt>Last active</dt><dd><Time iso={s.last_at} /></dd></div>
        <div><dt>Length</dt><dd className="num">{duration(Date.parse(s.last_at) - start)}</dd></div>
        <div><dt>Prompts</dt><dd className="num">{s.prompts}</dd></div>
        <div><dt>Tool calls</dt><dd className="num">{s.tool_calls}</dd></div>
        <div><dt>Failures</dt><dd className="num">{s.failures}</dd></div>
      </dl>
      <section className="card" aria-labelledby="tl-title">
        <h2 id="tl-title">Timeline</h2>
        <ol className="session-timeline">{timelineOf(activities).map((a) => <Entry key={a.id} a={a} start={start} />)}</ol>
      </section>
    </>
  );
}

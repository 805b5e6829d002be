import { memo } from 'react';
import { Link } from 'wouter';
import { absoluteTime, clockTime, duration } from '../../lib/format.ts';
import type { Activity } from '../../lib/types.ts';
import { ActivityRender } from '../../render/activity-render.tsx';
import { StatusBadge } from '../ui/badges.tsx';

/** One feed row: time, actor, action, target, status, duration; expands to its render. */
export const ActivityRow = memo(function ActivityRow({ activity: a, expanded, onToggle }: { activity: Activity; expanded: boolean; onToggle: (id: string) => void }) {
  return (
    <div className={`feed-row${expanded ? ' expanded' : ''}`} data-seq={a.seq}>
      <button type="button" className="feed-line" aria-expanded={expanded} onClick={() => onToggle(a.id)}>
        <time className="feed-time mono" dateTime={a.occurred_at} title={absoluteTime(a.occurred_at)}>{clockTime(a.occurred_at)}</time>
        <span className="feed-actor" title={a.user_id ?? undefined}>{a.user_id ?? (a.is_automated ? 'automation' : '—')}</span>
        <span className="feed-action"><span className="chip">{a.type}</span> {a.action_name}</span>
        <span className="feed-target" title={a.target_name ?? undefined}>{a.target_name ?? ''}</span>
        <span className="feed-status"><StatusBadge status={a.status} /></span>
        <span className="feed-duration num">{a.duration_ms === null ? '' : duration(a.duration_ms)}</span>
        <span className="feed-source muted">{a.source ?? ''}</span>
      </button>
      {expanded && (
        <div className="feed-detail">
          {a.action_description && <p>{a.action_description}</p>}
          <p className="meta">
            <span className="mono">{a.id}</span> · seq {a.seq}
            {a.run_id && <> · run <Link href={`/runs/${encodeURIComponent(a.run_id)}`} className="mono">{a.run_id}</Link></>}
            {a.session_id && <> · session <Link href={`/sessions/${encodeURIComponent(a.session_id)}`} className="mono">{a.session_id}</Link></>}
          </p>
          <ActivityRender data={a.data} render={a.schema_render} status={a.processing_status} />
        </div>
      )}
    </div>
  );
});

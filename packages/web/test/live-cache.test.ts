import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { applyLiveEvents, FEED_CAP, type FeedData } from '../src/lib/live-cache.ts';
import type { Activity, Run } from '../src/lib/types.ts';

const activity = (seq: number, extra: Partial<Activity> = {}): Activity => ({
  id: `a-${seq}`, seq, type: 'tool', action_name: 'x', action_description: null, target_name: null, status: 'success', duration_ms: null,
  is_automated: false, priority: null, source: 'sdk', user_id: null, project_id: null, workspace_id: null, session_id: null, run_id: null,
  work_unit_id: null, data: { n: seq }, data_schema: null, processing_status: 'PENDING', schema_render: null, occurred_at: new Date().toISOString(),
  created_at: new Date().toISOString(), ...extra,
});

function client(): QueryClient {
  const c = new QueryClient();
  c.setQueryData(['feed', {}], { items: [activity(2), activity(1)], cursor: null, lastSeq: 2 } satisfies FeedData);
  c.setQueryData(['feed', { source: 'claude-code' }], { items: [], cursor: null, lastSeq: 2 } satisfies FeedData);
  return c;
}

describe('live events patch the query cache the pages read', () => {
  it('new activities go on top of each feed view they match, once', () => {
    const c = client();
    applyLiveEvents(c, [{ type: 'activity_created', seq: 3, data: activity(3) }, { type: 'activity_created', seq: 4, data: activity(4, { source: 'claude-code' }) }]);
    applyLiveEvents(c, [{ type: 'activity_created', seq: 3, data: activity(3) }]);
    expect(c.getQueryData<FeedData>(['feed', {}])!.items.map((a) => a.seq)).toEqual([4, 3, 2, 1]);
    expect(c.getQueryData<FeedData>(['feed', { source: 'claude-code' }])!.items.map((a) => a.seq)).toEqual([4]);
  });

  it('a feed view keeps at most FEED_CAP activities, with a cursor to the older ones', () => {
    const c = client();
    const flood = Array.from({ length: FEED_CAP + 500 }, (_, i) => ({ type: 'activity_created', seq: i + 3, data: activity(i + 3) }));
    applyLiveEvents(c, flood);
    const feed = c.getQueryData<FeedData>(['feed', {}])!;
    expect(feed.items).toHaveLength(FEED_CAP);
    expect(feed.items[0]!.seq).toBe(FEED_CAP + 502);
    expect(atob(feed.cursor!.replace(/-/g, '+').replace(/_/g, '/'))).toBe(String(feed.items.at(-1)!.seq));
  });

  it('activity_rendered redraws the activity in place; run_updated replaces the cached run', () => {
    const c = client();
    const render = { strategy: 'metric', fields: [] };
    applyLiveEvents(c, [{ type: 'activity_rendered', seq: 2, data: { id: 'a-2', processing_status: 'COMPLETED', schema_render: render } }]);
    expect(c.getQueryData<FeedData>(['feed', {}])!.items[0]).toMatchObject({ id: 'a-2', processing_status: 'COMPLETED', schema_render: render });
    c.setQueryData(['run', 'r1'], { id: 'r1', status: 'running' });
    c.setQueryData(['runs', 'list', {}], { runs: [{ id: 'r1', status: 'running' }], next_cursor: null });
    applyLiveEvents(c, [{ type: 'run_updated', seq: 5, data: { id: 'r1', status: 'completed' } as Run }]);
    expect(c.getQueryData<Run>(['run', 'r1'])!.status).toBe('completed');
    expect(c.getQueryData<{ runs: Run[] }>(['runs', 'list', {}])!.runs[0]!.status).toBe('completed');
  });
});

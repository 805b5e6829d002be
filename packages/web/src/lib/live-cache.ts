import type { QueryClient } from '@tanstack/react-query';
import type { Activity, LiveEvent, Run, Step } from './types.ts';

/** Newest activities kept per feed view: the list stays bounded however long the tab is open. */
export const FEED_CAP = 2000;

export interface FeedFilters { type?: string; user_id?: string; session_id?: string; source?: string; run_id?: string; status?: string }
export interface FeedData { items: Activity[]; cursor: string | null; lastSeq: number }

export function matchesFeed(a: Activity, f: FeedFilters): boolean {
  return (!f.type || a.type === f.type) && (!f.user_id || a.user_id === f.user_id) && (!f.session_id || a.session_id === f.session_id)
    && (!f.source || a.source === f.source) && (!f.run_id || a.run_id === f.run_id) && (!f.status || a.status === f.status);
}

/** New activities (oldest first) on top of a feed view, newest first, skipping seqs it holds. */
export function prependActivities(feed: FeedData, incoming: Activity[], filters: FeedFilters): FeedData {
  const fresh = incoming.filter((a) => a.seq > feed.lastSeq && matchesFeed(a, filters));
  if (fresh.length === 0) return feed;
  fresh.sort((a, b) => b.seq - a.seq);
  let items = fresh.concat(feed.items);
  let cursor = feed.cursor;
  if (items.length > FEED_CAP) {
    items = items.slice(0, FEED_CAP);
    // Older pages stay reachable by cursor from the oldest activity still held.
    cursor = btoa(String(items[items.length - 1]!.seq)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  }
  return { items, cursor, lastSeq: Math.max(feed.lastSeq, fresh[0]!.seq) };
}

function patchActivity(feed: FeedData, id: string, patch: Partial<Activity>): FeedData {
  const index = feed.items.findIndex((a) => a.id === id);
  if (index < 0) return feed;
  const items = feed.items.slice();
  items[index] = { ...items[index]!, ...patch };
  return { ...feed, items };
}

let lastSummaryRefresh = 0;

/** One batch of live events (a frame's worth) into the query cache: the pages read only the cache. */
export function applyLiveEvents(client: QueryClient, events: LiveEvent[]): void {
  const created: Activity[] = [];
  let runsChanged = false;
  for (const event of events) {
    if (event.type === 'activity_created') created.push(event.data as Activity);
    else if (event.type === 'activity_rendered') {
      const { id, ...patch } = event.data as Partial<Activity> & { id: string };
      for (const [key, feed] of client.getQueriesData<FeedData>({ queryKey: ['feed'] })) {
        if (feed) client.setQueryData(key, patchActivity(feed, id, patch));
      }
    } else if (event.type === 'run_updated') {
      applyRun(client, event.data as Run);
      runsChanged = true;
    } else if (event.type === 'step_added') {
      applySteps(client, event.data as { run_id: string; steps: Step[] });
    }
  }
  if (created.length) {
    for (const [key, feed] of client.getQueriesData<FeedData>({ queryKey: ['feed'] })) {
      if (feed) client.setQueryData(key, prependActivities(feed, created, (key[1] ?? {}) as FeedFilters));
    }
  }
  const now = Date.now();
  if ((runsChanged || created.length) && now - lastSummaryRefresh > 3000) {
    // Figures are aggregates the events do not carry: re-read them, at most every few seconds.
    lastSummaryRefresh = now;
    void client.invalidateQueries({ queryKey: ['overview'] });
    void client.invalidateQueries({ queryKey: ['sessions'] });
    void client.invalidateQueries({ queryKey: ['runs', 'live'] });
  }
}

function applyRun(client: QueryClient, run: Run): void {
  if (client.getQueryData(['run', run.id])) client.setQueryData(['run', run.id], run);
  for (const [key, page] of client.getQueriesData<{ runs: Run[] }>({ queryKey: ['runs'] })) {
    if (!page?.runs) continue;
    const index = page.runs.findIndex((r) => r.id === run.id);
    if (index >= 0) {
      const runs = page.runs.slice();
      runs[index] = run;
      client.setQueryData(key, { ...page, runs });
    }
  }
}

function applySteps(client: QueryClient, data: { run_id: string; steps: Step[] }): void {
  const current = client.getQueryData<Step[]>(['steps', data.run_id]);
  if (!current) return;
  const byIndex = new Map(current.map((s) => [s.step_index, s]));
  for (const step of data.steps) byIndex.set(step.step_index, step);
  client.setQueryData(['steps', data.run_id], [...byIndex.values()].sort((a, b) => a.step_index - b.step_index));
}

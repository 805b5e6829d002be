import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { apiGet } from '../../lib/api-client.ts';
import { FEED_CAP, type FeedData, type FeedFilters } from '../../lib/live-cache.ts';
import type { ActivityPage } from '../../lib/types.ts';

const PAGE = 100;

/** One feed view: its first page from the API, then live events prepended by live-cache.ts. */
export function useFeed(filters: FeedFilters) {
  const client = useQueryClient();
  const key = ['feed', filters] as const;
  const query = useQuery({
    queryKey: key,
    queryFn: async (): Promise<FeedData> => {
      const page = await apiGet<ActivityPage>('/activities', { ...filters, limit: PAGE });
      return { items: page.activities, cursor: page.next_cursor, lastSeq: page.last_seq };
    },
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    // Live batches replace the list many times a second: comparing 2,000 payloads deeply each time costs more than it saves.
    structuralSharing: false,
  });
  const [loadingOlder, setLoadingOlder] = useState(false);
  const loadOlder = useCallback(async () => {
    const feed = client.getQueryData<FeedData>(key);
    if (!feed?.cursor) return;
    setLoadingOlder(true);
    try {
      const page = await apiGet<ActivityPage>('/activities', { ...filters, limit: PAGE, cursor: feed.cursor });
      const current = client.getQueryData<FeedData>(key) ?? feed;
      const known = new Set(current.items.map((a) => a.id));
      const items = current.items.concat(page.activities.filter((a) => !known.has(a.id)));
      client.setQueryData<FeedData>(key, { ...current, items: items.slice(0, FEED_CAP * 2), cursor: page.next_cursor });
    } finally {
      setLoadingOlder(false);
    }
  // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, JSON.stringify(filters)]);
  return { ...query, loadOlder, loadingOlder };
}

import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Activity } from '../../lib/types.ts';
import { ActivityRow } from './activity-row.tsx';

const ROW = 38;

/**
 * The feed, virtualised (the DOM holds only the rows in view). New activities arrive on top;
 * when the reader has scrolled down, the view stays where it is and a "N new" button appears.
 */
export function FeedList({ items, footer }: { items: Activity[]; footer?: React.ReactNode }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const [unseen, setUnseen] = useState(0);
  const topId = useRef<string | undefined>(items[0]?.id);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 12,
    getItemKey: (i) => items[i]!.id,
  });

  useLayoutEffect(() => {
    const previousTop = topId.current;
    topId.current = items[0]?.id;
    if (!previousTop || previousTop === items[0]?.id) return;
    const added = items.findIndex((a) => a.id === previousTop);
    const el = scroller.current;
    if (added > 0 && el && el.scrollTop > 4) {
      el.scrollTop += added * ROW;
      setUnseen((n) => n + added);
    }
  }, [items]);

  const toggle = useCallback((id: string) => setExpanded((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  }), []);

  return (
    <div className="feed">
      {unseen > 0 && (
        <button type="button" className="new-items" onClick={() => { scroller.current?.scrollTo({ top: 0 }); setUnseen(0); }}>
          ↑ {unseen} new
        </button>
      )}
      <div
        ref={scroller}
        className="feed-scroll"
        role="feed"
        aria-label="Activity, newest first"
        aria-busy={false}
        onScroll={(e) => { if ((e.target as HTMLElement).scrollTop <= 4 && unseen) setUnseen(0); }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((row) => (
            <div key={row.key} data-index={row.index} ref={virtualizer.measureElement} className="feed-item" style={{ transform: `translateY(${row.start}px)` }} role="article" aria-posinset={row.index + 1} aria-setsize={items.length}>
              <ActivityRow activity={items[row.index]!} expanded={expanded.has(items[row.index]!.id)} onToggle={toggle} />
            </div>
          ))}
        </div>
        {footer}
      </div>
    </div>
  );
}

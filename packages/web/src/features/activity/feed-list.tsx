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
  const scrollTop = useRef(0);
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
    // The offset kept by the scroll handler: reading el.scrollTop here would force a layout every batch.
    if (added > 0 && el && scrollTop.current > 4) {
      scrollTop.current += added * ROW;
      el.scrollTop = scrollTop.current;
      setUnseen((n) => n + added);
    }
  }, [items]);

  const latest = useRef({ items, expanded, virtualizer });
  latest.current = { items, expanded, virtualizer };
  const toggle = useCallback((id: string) => {
    const { items: list, expanded: open, virtualizer: v } = latest.current;
    // A row that closes goes back to the fixed height (its measured, expanded size is cached).
    if (open.has(id)) {
      const index = list.findIndex((a) => a.id === id);
      if (index >= 0) v.resizeItem(index, ROW);
    }
    setExpanded((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  /** j/k or the arrow keys move between rows, like a mail client. */
  function onKeyDown(e: React.KeyboardEvent) {
    const step = e.key === 'ArrowDown' || e.key === 'j' ? 1 : e.key === 'ArrowUp' || e.key === 'k' ? -1 : 0;
    const row = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('.feed-item');
    if (!step || !row) return;
    e.preventDefault();
    const index = Math.min(items.length - 1, Math.max(0, Number(row.dataset.index) + step));
    virtualizer.scrollToIndex(index);
    requestAnimationFrame(() => scroller.current?.querySelector<HTMLElement>(`.feed-item[data-index="${index}"] .feed-line`)?.focus());
  }

  return (
    <div className="feed">
      {unseen > 0 && (
        <button type="button" className="new-items" onClick={() => { scroller.current?.scrollTo({ top: 0 }); scrollTop.current = 0; setUnseen(0); }}>
          ↑ {unseen} new
        </button>
      )}
      <div
        ref={scroller}
        className="feed-scroll"
        role="feed"
        aria-label="Activity, newest first"
        aria-busy={false}
        onKeyDown={onKeyDown}
        onScroll={(e) => {
          scrollTop.current = (e.target as HTMLElement).scrollTop;
          if (scrollTop.current <= 4 && unseen) setUnseen(0);
        }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((row) => (
            // Collapsed rows have a fixed height; only expanded ones are measured (measuring forces a layout).
            <div key={row.key} data-index={row.index} ref={expanded.has(items[row.index]!.id) ? virtualizer.measureElement : undefined} className="feed-item" style={{ transform: `translateY(${row.start}px)` }} role="article" aria-posinset={row.index + 1} aria-setsize={items.length}>
              <ActivityRow activity={items[row.index]!} expanded={expanded.has(items[row.index]!.id)} onToggle={toggle} />
            </div>
          ))}
        </div>
        {footer}
      </div>
    </div>
  );
}

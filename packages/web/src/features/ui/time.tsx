import { useEffect, useState } from 'react';
import { absoluteTime, relativeTime } from '../../lib/format.ts';

/** Ticks every 15 s so relative times stay true on a tab left open. */
export function useNow(intervalMs = 15_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** Relative time with the absolute one on hover. */
export function Time({ iso, now }: { iso: string | null | undefined; now?: number }) {
  if (!iso) return <span className="muted">—</span>;
  return <time dateTime={iso} title={absoluteTime(iso)}>{relativeTime(iso, now)}</time>;
}

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Live, LiveState } from './live.ts';
import { applyLiveEvents } from './live-cache.ts';

const LiveContext = createContext<Live | null>(null);

/** Starts the one live connection while signed in and feeds its batches into the query cache. */
export function LiveProvider({ live, enabled, children }: { live: Live; enabled: boolean; children: ReactNode }) {
  const client = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const off = live.subscribe((events) => applyLiveEvents(client, events));
    live.start();
    return () => {
      off();
      live.stop();
    };
  }, [live, enabled, client]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive outside LiveProvider');
  return live;
}

export function useLiveState(): LiveState {
  const live = useLive();
  const [state, setState] = useState(live.state);
  useEffect(() => {
    setState(live.state);
    return live.onState(setState);
  }, [live]);
  return state;
}

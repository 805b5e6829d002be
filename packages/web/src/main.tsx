import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './app.tsx';
import { createLive } from './lib/live.ts';
import './styles.css';

const client = new QueryClient({
  defaultOptions: { queries: { staleTime: 10_000, retry: 1, refetchOnWindowFocus: true } },
});
const live = createLive();
// The bench and the end-to-end tests read the connection state from here.
(window as unknown as { __runlogLive: typeof live }).__runlogLive = live;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <App live={live} />
    </QueryClientProvider>
  </StrictMode>,
);

import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Redirect, Route, Switch, useLocation, useSearch } from 'wouter';
import { setUnauthorizedHandler } from './lib/api-client.ts';
import type { Live } from './lib/live.ts';
import { LiveProvider } from './lib/live-context.tsx';
import { useMe } from './lib/session.ts';
import { Shell } from './features/shell/shell.tsx';
import { Skeleton, ErrorState } from './features/ui/states.tsx';
import { LoginPage } from './routes/login.tsx';
import { OverviewPage } from './routes/overview.tsx';
import { ActivityPage } from './routes/activity.tsx';
import { RunsPage } from './routes/runs.tsx';
import { RunDetailPage } from './routes/run-detail.tsx';
import { SessionsPage } from './routes/sessions.tsx';
import { SessionDetailPage } from './routes/session-detail.tsx';
import { SignalsPage } from './routes/signals.tsx';
import { WorkUnitsPage } from './routes/work-units.tsx';
import { WorkUnitDetailPage } from './routes/work-unit-detail.tsx';
import { WorkspacesPage } from './routes/workspaces.tsx';
import { WorkspaceDetailPage } from './routes/workspace-detail.tsx';
import { SettingsPage } from './routes/settings.tsx';

function Pages() {
  return (
    <Switch>
      <Route path="/" component={OverviewPage} />
      <Route path="/activity" component={ActivityPage} />
      <Route path="/runs" component={RunsPage} />
      <Route path="/runs/:id" component={RunDetailPage} />
      <Route path="/sessions" component={SessionsPage} />
      <Route path="/sessions/:id" component={SessionDetailPage} />
      <Route path="/signals" component={SignalsPage} />
      <Route path="/work-units" component={WorkUnitsPage} />
      <Route path="/work-units/:id" component={WorkUnitDetailPage} />
      <Route path="/workspaces" component={WorkspacesPage} />
      <Route path="/workspaces/:id" component={WorkspaceDetailPage} />
      <Route path="/settings" component={SettingsPage} />
      <Route><main className="page"><h1>Page not found</h1><p>There is no page here. <a href="/">Go to the overview</a>.</p></main></Route>
    </Switch>
  );
}

/** Signed out → /login?next=<this page>; signed in → the pages with the live connection. */
export function App({ live }: { live: Live }) {
  const me = useMe();
  const client = useQueryClient();
  const [location] = useLocation();
  const search = useSearch();
  useEffect(() => setUnauthorizedHandler(() => client.setQueryData(['me'], null)), [client]);
  const signedIn = Boolean(me.data);

  if (location === '/login') return signedIn ? <Redirect to="/" /> : <LoginPage />;
  if (me.isPending) return <main className="page"><Skeleton rows={3} /></main>;
  if (me.isError) return <main className="page"><ErrorState what="your session" error={me.error} retry={() => void me.refetch()} /></main>;
  if (!me.data) return <Redirect to={`/login?next=${encodeURIComponent(location + (search ? `?${search}` : ''))}`} replace />;
  return (
    <LiveProvider live={live} enabled={signedIn}>
      <Shell me={me.data}>
        <Pages />
      </Shell>
    </LiveProvider>
  );
}

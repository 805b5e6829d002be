import type { ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useLocation } from 'wouter';
import { apiSend } from '../../lib/api-client.ts';
import { useLiveState } from '../../lib/live-context.tsx';
import { permissions, type Me } from '../../lib/session.ts';

const NAV = [
  ['/', 'Overview'], ['/activity', 'Activity'], ['/runs', 'Runs'], ['/sessions', 'Sessions'], ['/signals', 'Signals'],
  ['/work-units', 'Work units'], ['/workspaces', 'Workspaces'], ['/settings', 'Settings'],
] as const;

const STATE_TEXT = { live: 'Live', connecting: 'Connecting', reconnecting: 'Reconnecting', polling: 'Polling', stopped: 'Offline' } as const;

export function ConnectionState() {
  const state = useLiveState();
  return (
    <span className={`conn conn-${state}`} role="status" aria-live="polite" title={state === 'polling' ? 'The live socket is down; checking for new activity every 2 s' : undefined}>
      <span aria-hidden="true" className="conn-dot" /> {STATE_TEXT[state]}
    </span>
  );
}

export function Shell({ me, children }: { me: Me; children: ReactNode }) {
  const [location, navigate] = useLocation();
  const client = useQueryClient();
  const user = me.user;
  const { isAdmin, canWrite } = permissions(me);
  const role = user?.role ?? (isAdmin ? 'admin' : canWrite ? 'member' : 'viewer');

  async function signOut() {
    try {
      await apiSend('POST', '/auth/logout');
    } finally {
      client.clear();
      client.setQueryData(['me'], null);
      navigate('/login');
    }
  }

  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <Link href="/" className="brand"><img src="/favicon.svg" alt="" width="20" height="20" /> Runlog</Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([href, label]) => {
              const current = href === '/' ? location === '/' : location === href || location.startsWith(`${href}/`);
              return <li key={href}><Link href={href} aria-current={current ? 'page' : undefined}>{label}</Link></li>;
            })}
          </ul>
        </nav>
        <div className="topbar-end">
          <ConnectionState />
          <span className="who" title={`role: ${role}`}>{user?.email ?? 'signed in'} <span className="muted">({role})</span></span>
          <button type="button" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>{children}</main>
    </div>
  );
}

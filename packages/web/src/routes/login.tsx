import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useLocation, useSearch } from 'wouter';
import { ApiError, apiSend } from '../lib/api-client.ts';
import { safeNext } from '../lib/session.ts';

export function LoginPage() {
  const [, navigate] = useLocation();
  const search = useSearch();
  const client = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [tenant, setTenant] = useState<string | null>(null);
  const [tenants, setTenants] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await apiSend('POST', '/auth/login', { email, password, ...(tenant ? { tenant } : {}) });
      await client.invalidateQueries({ queryKey: ['me'] });
      await client.refetchQueries({ queryKey: ['me'] });
      navigate(safeNext(new URLSearchParams(search).get('next')), { replace: true });
    } catch (err) {
      if (err instanceof ApiError && Array.isArray(err.details?.tenants)) {
        setTenants(err.details.tenants as string[]);
        setError('This email belongs to several teams: choose one.');
      } else {
        setError(err instanceof ApiError && err.status === 401 ? 'Email or password is wrong.' : err instanceof Error ? err.message : String(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login" id="main">
      <form className="card login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title"><img src="/favicon.svg" alt="" width="24" height="24" /> Sign in to Runlog</h1>
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {tenants.length > 0 && (
          <>
            <label htmlFor="tenant">Team</label>
            <select id="tenant" value={tenant ?? ''} onChange={(e) => setTenant(e.target.value || null)} required>
              <option value="">Choose…</option>
              {tenants.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </>
        )}
        {error && <p className="form-error" role="alert">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        <p className="muted small">No account? An admin creates one with <code>runlog users create --tenant &lt;team&gt; --email &lt;you&gt;</code>.</p>
      </form>
    </main>
  );
}

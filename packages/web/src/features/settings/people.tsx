import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, apiGet, apiSend } from '../../lib/api-client.ts';
import { EmptyState, ErrorState, Skeleton } from '../ui/states.tsx';
import { Time } from '../ui/time.tsx';
import { useAction } from '../ui/use-action.ts';

interface User { id: string; email: string; name: string | null; role: string; active: boolean; created_at: string }
const ROLES = ['viewer', 'member', 'admin', 'owner'];

export function PeopleSection() {
  const client = useQueryClient();
  const q = useQuery({ queryKey: ['users'], queryFn: () => apiGet<{ users: User[] }>('/users'), retry: false });
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('member');
  const [password, setPassword] = useState<string | null>(null);
  const create = useAction();
  const change = useAction();
  const patch = (id: string, body: Record<string, unknown>) => void change.run(async () => {
    await apiSend('PATCH', `/users/${encodeURIComponent(id)}`, body);
    await client.invalidateQueries({ queryKey: ['users'] });
  });
  if (q.isError && q.error instanceof ApiError && q.error.status === 404) {
    return <section aria-labelledby="people-title"><h2 id="people-title">People</h2><EmptyState title="Managing people is not available on this server yet.">Create people with <code>runlog users create --tenant &lt;team&gt; --email &lt;email&gt; --role member</code>.</EmptyState></section>;
  }
  return (
    <section aria-labelledby="people-title">
      <h2 id="people-title">People</h2>
      {password && <div className="secret card" role="status"><p><strong>Their password (shown once):</strong> <code className="mono">{password}</code></p><button type="button" className="link" onClick={() => setPassword(null)}>Done</button></div>}
      <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void create.run(async () => {
        const user = await apiSend<User & { password?: string }>('POST', '/users', { email, role });
        setPassword(user.password ?? null);
        setEmail('');
        await client.invalidateQueries({ queryKey: ['users'] });
      }); }}>
        <label><span>Email</span><input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required /></label>
        <label><span>Role</span><select value={role} onChange={(e) => setRole(e.target.value)}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></label>
        <button type="submit" disabled={create.busy}>Add person</button>
        {create.error && <span className="form-error" role="alert">{create.error}</span>}
      </form>
      {change.error && <p className="form-error" role="alert">{change.error}</p>}
      {q.isPending ? <Skeleton rows={3} /> : q.isError ? <ErrorState what="people" error={q.error} retry={() => void q.refetch()} /> : (
        <table className="data">
          <caption className="sr-only">People</caption>
          <thead><tr><th scope="col">Person</th><th scope="col">Role</th><th scope="col">Added</th><th scope="col">Access</th></tr></thead>
          <tbody>{q.data.users.map((u) => (
            <tr key={u.id}>
              <td>{u.name ?? u.email} <span className="muted small">{u.email}</span></td>
              <td><select aria-label={`Role of ${u.email}`} value={u.role} onChange={(e) => patch(u.id, { role: e.target.value })}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></td>
              <td><Time iso={u.created_at} /></td>
              <td><button type="button" className="link" onClick={() => patch(u.id, { active: !u.active })}>{u.active ? `Deactivate ${u.email}` : `Reactivate ${u.email}`}</button></td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </section>
  );
}

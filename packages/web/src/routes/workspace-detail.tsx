import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'wouter';
import { ApiError, apiGet, apiSend } from '../lib/api-client.ts';
import { permissions, useMe } from '../lib/session.ts';
import { EmptyState, ErrorState, Skeleton } from '../features/ui/states.tsx';
import { useAction } from '../features/ui/use-action.ts';
import type { Workspace } from './workspaces.tsx';

interface Member { user_id: string; email: string; name: string | null; role: string; department: string | null }
interface UnitLink { work_unit_id: string; work_unit_name: string; work_unit_type: string }
const ROLES = ['viewer', 'member', 'admin', 'owner'];

function AddMember({ id }: { id: string }) {
  const client = useQueryClient();
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState('member');
  const action = useAction();
  return (
    <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void action.run(async () => {
      await apiSend('POST', `/workspaces/${id}/members`, { user_id: userId, role });
      setUserId('');
      await client.invalidateQueries({ queryKey: ['workspace', id] });
    }); }}>
      <label><span>User id</span><input value={userId} onChange={(e) => setUserId(e.target.value)} required /></label>
      <label><span>Role</span><select value={role} onChange={(e) => setRole(e.target.value)}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></label>
      <button type="submit" disabled={action.busy}>Add member</button>
      {action.error && <span className="form-error" role="alert">{action.error}</span>}
    </form>
  );
}

function AddUnit({ id }: { id: string }) {
  const client = useQueryClient();
  const [unit, setUnit] = useState('');
  const action = useAction();
  return (
    <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void action.run(async () => {
      await apiSend('POST', `/workspaces/${id}/work-units`, { work_unit_id: unit });
      setUnit('');
      await client.invalidateQueries({ queryKey: ['workspace', id] });
    }); }}>
      <label><span>Work unit id</span><input value={unit} onChange={(e) => setUnit(e.target.value)} required /></label>
      <button type="submit" disabled={action.busy}>Add work unit</button>
      {action.error && <span className="form-error" role="alert">{action.error}</span>}
    </form>
  );
}

export function WorkspaceDetailPage() {
  const { id } = useParams<{ id: string }>();
  const client = useQueryClient();
  const me = useMe();
  const { isAdmin } = permissions(me.data);
  const remove = useAction();
  const ws = useQuery({ queryKey: ['workspace', id], queryFn: () => apiGet<Workspace>(`/workspaces/${id}`) });
  const members = useQuery({ queryKey: ['workspace', id, 'members'], queryFn: () => apiGet<{ members: Member[] }>(`/workspaces/${id}/members`, { limit: 200 }) });
  const units = useQuery({ queryKey: ['workspace', id, 'units'], queryFn: () => apiGet<{ work_units: UnitLink[] }>(`/workspaces/${id}/work-units`, { limit: 200 }) });
  if (ws.isPending) return <Skeleton rows={5} />;
  if (ws.isError) {
    if (ws.error instanceof ApiError && (ws.error.status === 404 || ws.error.status === 400)) return <EmptyState title="No such workspace.">It may have been deleted, or you are not a member. <a href="/workspaces">See your workspaces</a>.</EmptyState>;
    return <ErrorState what="the workspace" error={ws.error} retry={() => void ws.refetch()} />;
  }
  const canManage = isAdmin || ws.data.my_role === 'admin' || ws.data.my_role === 'owner';
  const del = (path: string) => void remove.run(async () => {
    await apiSend('DELETE', path);
    await client.invalidateQueries({ queryKey: ['workspace', id] });
  });
  return (
    <>
      <div className="page-head"><h1>{ws.data.name}</h1>{ws.data.my_role && <span className="chip">you: {ws.data.my_role}</span>}</div>
      {ws.data.description && <p>{ws.data.description}</p>}
      {remove.error && <p className="form-error" role="alert">{remove.error}</p>}
      <section className="card" aria-labelledby="m-title">
        <div className="card-head"><h2 id="m-title">Members</h2>{canManage && <AddMember id={id} />}</div>
        {members.isPending ? <Skeleton rows={3} /> : members.isError ? <ErrorState what="members" error={members.error} /> : (
          <table className="data">
            <caption className="sr-only">Members</caption>
            <thead><tr><th scope="col">Person</th><th scope="col">Role</th><th scope="col">Department</th>{canManage && <th scope="col"><span className="sr-only">Actions</span></th>}</tr></thead>
            <tbody>{members.data.members.map((m) => (
              <tr key={m.user_id}>
                <td>{m.name ?? m.email} <span className="muted small">{m.email}</span></td>
                <td>{m.role}</td>
                <td>{m.department ?? '—'}</td>
                {canManage && <td><button type="button" className="link danger" onClick={() => del(`/workspaces/${id}/members/${encodeURIComponent(m.user_id)}`)}>Remove {m.email}</button></td>}
              </tr>
            ))}</tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="u-title">
        <div className="card-head"><h2 id="u-title">Work units</h2>{canManage && <AddUnit id={id} />}</div>
        {units.isPending ? <Skeleton rows={3} /> : units.isError ? <ErrorState what="work units" error={units.error} />
          : units.data.work_units.length === 0 ? <EmptyState title="No work units in this workspace." /> : (
            <ul className="plain">{units.data.work_units.map((u) => (
              <li key={u.work_unit_id}>
                <Link href={`/work-units/${encodeURIComponent(u.work_unit_id)}`}>{u.work_unit_name}</Link> <span className="muted">{u.work_unit_type}</span>
                {canManage && <> <button type="button" className="link danger" onClick={() => del(`/workspaces/${id}/work-units/${encodeURIComponent(u.work_unit_id)}`)}>Remove</button></>}
              </li>
            ))}</ul>
          )}
      </section>
    </>
  );
}

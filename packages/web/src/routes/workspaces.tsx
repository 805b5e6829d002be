import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'wouter';
import { apiGet, apiSend } from '../lib/api-client.ts';
import { permissions, useMe } from '../lib/session.ts';
import { EmptyState, ErrorState, Skeleton } from '../features/ui/states.tsx';
import { Time } from '../features/ui/time.tsx';
import { useAction } from '../features/ui/use-action.ts';

export interface Workspace { id: string; name: string; description: string | null; department: string | null; created_at: string; my_role: string | null }

function CreateWorkspace() {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const action = useAction();
  return (
    <form className="inline-form" onSubmit={(e) => {
      e.preventDefault();
      void action.run(async () => {
        await apiSend('POST', '/workspaces', { name });
        setName('');
        await client.invalidateQueries({ queryKey: ['workspaces'] });
      });
    }}>
      <label><span>New workspace</span><input value={name} onChange={(e) => setName(e.target.value)} required placeholder="Name" /></label>
      <button type="submit" disabled={action.busy}>Create workspace</button>
      {action.error && <span className="form-error" role="alert">{action.error}</span>}
    </form>
  );
}

export function WorkspacesPage() {
  const me = useMe();
  const { canWrite } = permissions(me.data);
  const q = useQuery({ queryKey: ['workspaces'], queryFn: () => apiGet<{ workspaces: Workspace[]; total: number }>('/workspaces', { limit: 100 }) });
  return (
    <>
      <div className="page-head"><h1>Workspaces</h1><span className="spacer" />{canWrite && me.data?.user && <CreateWorkspace />}</div>
      {q.isPending ? <Skeleton rows={4} /> : q.isError ? <ErrorState what="workspaces" error={q.error} retry={() => void q.refetch()} />
        : q.data.workspaces.length === 0 ? <EmptyState title="You are in no workspace yet.">A workspace groups people and work units; its owner adds members with roles.</EmptyState>
        : (
          <table className="data">
            <caption className="sr-only">Workspaces</caption>
            <thead><tr><th scope="col">Workspace</th><th scope="col">Department</th><th scope="col">Your role</th><th scope="col">Created</th></tr></thead>
            <tbody>{q.data.workspaces.map((w) => (
              <tr key={w.id}>
                <td><Link href={`/workspaces/${w.id}`}>{w.name}</Link>{w.description && <div className="muted small">{w.description}</div>}</td>
                <td>{w.department ?? '—'}</td>
                <td>{w.my_role ?? <span className="muted">tenant admin</span>}</td>
                <td><Time iso={w.created_at} /></td>
              </tr>
            ))}</tbody>
          </table>
        )}
    </>
  );
}

import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../lib/api-client.ts';
import { EmptyState, ErrorState, Skeleton } from '../ui/states.tsx';
import { Time } from '../ui/time.tsx';
import { useAction } from '../ui/use-action.ts';

interface ApiKey { id: string; name: string; prefix: string; scopes: string[]; created_at: string; last_used_at: string | null; revoked_at: string | null }

function Secret({ secret, onDone }: { secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret card" role="status">
      <p><strong>Copy this key now: it is shown only once.</strong></p>
      <code className="mono secret-value">{secret}</code>
      <div className="row">
        <button type="button" onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true))}>{copied ? 'Copied' : 'Copy key'}</button>
        <button type="button" className="link" onClick={onDone}>I have stored it</button>
      </div>
    </div>
  );
}

export function ApiKeysSection() {
  const client = useQueryClient();
  const q = useQuery({ queryKey: ['api-keys'], queryFn: () => apiGet<{ api_keys: ApiKey[] }>('/api-keys') });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['ingest']);
  const [secret, setSecret] = useState<string | null>(null);
  const create = useAction();
  const revoke = useAction();
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      {secret && <Secret secret={secret} onDone={() => setSecret(null)} />}
      <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void create.run(async () => {
        const res = await apiSend<{ key: string }>('POST', '/api-keys', { name, scopes });
        setSecret(res.key);
        setName('');
        await client.invalidateQueries({ queryKey: ['api-keys'] });
      }); }}>
        <label><span>Key name</span><input value={name} onChange={(e) => setName(e.target.value)} required placeholder="ci-ingest" /></label>
        <fieldset className="checks"><legend>Scopes</legend>
          {['ingest', 'read', 'admin'].map((s) => (
            <label key={s} className="check"><input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} /> {s}</label>
          ))}
        </fieldset>
        <button type="submit" disabled={create.busy || scopes.length === 0}>Create key</button>
        {create.error && <span className="form-error" role="alert">{create.error}</span>}
      </form>
      {revoke.error && <p className="form-error" role="alert">{revoke.error}</p>}
      {q.isPending ? <Skeleton rows={3} /> : q.isError ? <ErrorState what="API keys" error={q.error} retry={() => void q.refetch()} />
        : q.data.api_keys.length === 0 ? <EmptyState title="No API keys yet." /> : (
          <table className="data">
            <caption className="sr-only">API keys</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">State</th></tr></thead>
            <tbody>{q.data.api_keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td className="mono">{k.prefix}…</td>
                <td>{k.scopes.join(', ')}</td>
                <td><Time iso={k.created_at} /></td>
                <td>{k.last_used_at ? <Time iso={k.last_used_at} /> : <span className="muted">never</span>}</td>
                <td>{k.revoked_at ? <span className="muted">revoked</span> : (
                  <button type="button" className="link danger" disabled={revoke.busy} onClick={() => {
                    if (!confirm(`Revoke key ${k.name}? Clients using it stop working at once.`)) return;
                    void revoke.run(async () => { await apiSend('DELETE', `/api-keys/${k.id}`); await client.invalidateQueries({ queryKey: ['api-keys'] }); });
                  }}>Revoke {k.name}</button>
                )}</td>
              </tr>
            ))}</tbody>
          </table>
        )}
    </section>
  );
}

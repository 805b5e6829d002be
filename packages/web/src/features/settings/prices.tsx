import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../lib/api-client.ts';
import { ErrorState, Skeleton } from '../ui/states.tsx';
import { useAction } from '../ui/use-action.ts';

interface Price { id: number; tenant_id: string | null; provider: string; model_pattern: string; input_per_mtok: number; output_per_mtok: number; cache_read_per_mtok: number | null; effective_from: string }

export function PricesSection({ canEdit }: { canEdit: boolean }) {
  const client = useQueryClient();
  const q = useQuery({ queryKey: ['prices'], queryFn: () => apiGet<{ prices: Price[] }>('/prices') });
  const [form, setForm] = useState({ provider: '', model_pattern: '', input_per_mtok: '', output_per_mtok: '' });
  const add = useAction();
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  return (
    <section aria-labelledby="prices-title">
      <h2 id="prices-title">Prices <span className="muted small">USD per million tokens</span></h2>
      {canEdit && (
        <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void add.run(async () => {
          await apiSend('POST', '/prices', { provider: form.provider, model_pattern: form.model_pattern, input_per_mtok: Number(form.input_per_mtok), output_per_mtok: Number(form.output_per_mtok) });
          setForm({ provider: '', model_pattern: '', input_per_mtok: '', output_per_mtok: '' });
          await client.invalidateQueries({ queryKey: ['prices'] });
        }); }}>
          <label><span>Provider</span><input value={form.provider} onChange={set('provider')} required /></label>
          <label><span>Model pattern</span><input value={form.model_pattern} onChange={set('model_pattern')} required /></label>
          <label><span>Input $/Mtok</span><input type="number" step="any" min="0" value={form.input_per_mtok} onChange={set('input_per_mtok')} required /></label>
          <label><span>Output $/Mtok</span><input type="number" step="any" min="0" value={form.output_per_mtok} onChange={set('output_per_mtok')} required /></label>
          <button type="submit" disabled={add.busy}>Add price</button>
          {add.error && <span className="form-error" role="alert">{add.error}</span>}
        </form>
      )}
      {q.isPending ? <Skeleton rows={4} /> : q.isError ? <ErrorState what="prices" error={q.error} retry={() => void q.refetch()} /> : (
        <div className="table-scroll">
          <table className="data">
            <caption className="sr-only">Model prices</caption>
            <thead><tr><th scope="col">Provider</th><th scope="col">Model</th><th scope="col" className="num">Input</th><th scope="col" className="num">Output</th><th scope="col" className="num">Cache read</th><th scope="col">From</th><th scope="col">Whose</th></tr></thead>
            <tbody>{q.data.prices.map((p) => (
              <tr key={p.id}>
                <td>{p.provider}</td><td className="mono">{p.model_pattern}</td>
                <td className="num">${p.input_per_mtok}</td><td className="num">${p.output_per_mtok}</td>
                <td className="num">{p.cache_read_per_mtok === null ? '—' : `$${p.cache_read_per_mtok}`}</td>
                <td>{new Date(p.effective_from).toLocaleDateString()}</td>
                <td>{p.tenant_id ? 'yours' : <span className="muted">shipped</span>}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}

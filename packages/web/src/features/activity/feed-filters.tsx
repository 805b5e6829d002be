import { useEffect, useState, type FormEvent } from 'react';
import type { FeedFilters } from '../../lib/live-cache.ts';

const FIELDS = [['type', 'Type'], ['user_id', 'User'], ['session_id', 'Session'], ['source', 'Source']] as const;

/** Filters above the feed; applied on submit so typing does not refetch on every key. */
export function FeedFilterBar({ filters, onApply }: { filters: FeedFilters; onApply: (f: FeedFilters) => void }) {
  const [draft, setDraft] = useState<FeedFilters>(filters);
  useEffect(() => setDraft(filters), [JSON.stringify(filters)]); // eslint-disable-line react-hooks/exhaustive-deps
  function submit(e: FormEvent) {
    e.preventDefault();
    onApply(draft);
  }
  const active = FIELDS.some(([k]) => filters[k]);
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter activity">
      {FIELDS.map(([key, label]) => (
        <label key={key}>
          <span>{label}</span>
          <input name={key} value={draft[key] ?? ''} onChange={(e) => setDraft({ ...draft, [key]: e.target.value || undefined })} placeholder="any" />
        </label>
      ))}
      <button type="submit">Apply</button>
      {active && <button type="button" className="link" onClick={() => onApply({})}>Clear filters</button>}
    </form>
  );
}

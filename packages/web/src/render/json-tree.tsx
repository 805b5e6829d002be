import { useState } from 'react';

const CHILDREN_SHOWN = 100;

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className="json-null">null</span>;
  if (typeof value === 'string') return <span className="json-string">"{value.length > 5000 ? `${value.slice(0, 5000)}…` : value}"</span>;
  if (typeof value === 'number') return <span className="json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="json-bool">{String(value)}</span>;
  return <span>{String(value)}</span>;
}

function Node({ name, value, open, depth }: { name: string | null; value: unknown; open: boolean; depth: number }) {
  const [limit, setLimit] = useState(CHILDREN_SHOWN);
  const label = name === null ? null : <span className="json-key">{name}: </span>;
  if (value === null || typeof value !== 'object') return <div className="json-leaf">{label}<Scalar value={value} /></div>;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as object);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  return (
    <details className="json-node" open={open && depth < 2}>
      <summary>{label}<span className="muted">{summary}</span></summary>
      <div className="json-children">
        {entries.slice(0, limit).map(([k, v]) => <Node key={k} name={k} value={v} open={open} depth={depth + 1} />)}
        {entries.length > limit && (
          <button type="button" className="link" onClick={() => setLimit(limit + CHILDREN_SHOWN)}>Show {Math.min(CHILDREN_SHOWN, entries.length - limit)} more of {entries.length - limit}</button>
        )}
      </div>
    </details>
  );
}

/** A collapsible tree of any JSON value, with a copy button. */
export function JsonTree({ value, open = true }: { value: unknown; open?: boolean }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="render-json">
      <button type="button" className="copy" onClick={() => void navigator.clipboard?.writeText(JSON.stringify(value, null, 2)).then(() => setCopied(true))}>
        {copied ? 'Copied' : 'Copy JSON'}
      </button>
      <Node name={null} value={value} open={open} depth={0} />
    </div>
  );
}

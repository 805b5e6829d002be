import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { errorText } from '../../lib/api-client.ts';

export function ErrorState({ what, error, retry }: { what: string; error: unknown; retry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <strong>Could not load {what}.</strong> <span>{errorText(error)}</span>
      {retry && <button type="button" onClick={retry}>Retry</button>}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children && <div className="state-body">{children}</div>}
    </div>
  );
}

/** Placeholder rows that keep the layout while data loads. */
export function Skeleton({ rows = 5 }: { rows?: number }) {
  return (
    <div className="skeleton" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => <div key={i} className="skeleton-row" />)}
    </div>
  );
}

export function Figure({ label, value, hint, href, tone }: { label: string; value: ReactNode; hint?: ReactNode; href?: string; tone?: string }) {
  const body = (
    <>
      <div className="figure-value">{value}</div>
      <div className="figure-label">{label}</div>
      {hint && <div className="figure-hint">{hint}</div>}
    </>
  );
  return href ? <Link className={`figure card ${tone ?? ''}`} href={href}>{body}</Link> : <div className={`figure card ${tone ?? ''}`}>{body}</div>;
}

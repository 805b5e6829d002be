import { Link } from 'wouter';
import type { AttentionItem } from './signals-api.ts';
import { StatusBadge } from '../ui/badges.tsx';
import { Time } from '../ui/time.tsx';

const REASON_TEXT: Record<string, string> = {
  failed: 'failed', violated: 'over a limit', at_risk: 'close to a limit', stalled: 'stalled', slow: 'slow',
  incident: 'incident recorded', policy_violation: 'policy violated', evidence_missing: 'evidence missing', integrity: 'integrity unverified',
};

/** The runs that most need a look, each with why. */
export function AttentionList({ items }: { items: AttentionItem[] }) {
  return (
    <ol className="attention">
      {items.map((item) => (
        <li key={item.run_id}>
          <span className="score num" title="attention score">{item.attention_score.toFixed(0)}</span>
          <span className="attention-main">
            <Link href={`/runs/${encodeURIComponent(item.run_id)}`} className="mono">{item.run_id}</Link>{' '}
            <StatusBadge status={item.status} /> <Time iso={item.started_at} />
            <span className="reasons">{item.reasons.map((r) => <span key={r} className="chip">{REASON_TEXT[r.toLowerCase()] ?? r.replace(/_/g, ' ').toLowerCase()}</span>)}</span>
          </span>
        </li>
      ))}
    </ol>
  );
}

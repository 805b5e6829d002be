const STATUS_ICON: Record<string, string> = { running: '●', completed: '✓', failed: '✕', cancelled: '⊘', pending: '○', success: '✓', in_progress: '●' };

/** Status with a word and an icon, never colour alone. */
export function StatusBadge({ status }: { status: string | null | undefined }) {
  if (!status) return <span className="muted">—</span>;
  return <span className={`badge status-${status}`}><span aria-hidden="true">{STATUS_ICON[status] ?? '•'}</span> {status.replace('_', ' ')}</span>;
}

const RISK_WORD: Record<string, string> = { OK: 'OK', NEAR_THRESHOLD: 'near limit', AT_RISK: 'at risk', VIOLATED: 'violated' };

export function RiskBadge({ risk }: { risk: string | null | undefined }) {
  if (!risk) return <span className="muted">—</span>;
  if (risk === 'OK') return <span className="badge risk-OK">OK</span>;
  return <span className={`badge risk-${risk}`}><span aria-hidden="true">▲</span> {RISK_WORD[risk] ?? risk}</span>;
}

export function LatencyBadge({ latency }: { latency: string | null | undefined }) {
  if (!latency || latency === 'NORMAL') return <span className="muted">{latency ? 'normal' : '—'}</span>;
  return <span className={`badge latency-${latency}`}><span aria-hidden="true">{latency === 'STALLED' ? '⏸' : '◷'}</span> {latency.toLowerCase()}</span>;
}

import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { ApiError, apiGet } from '../lib/api-client.ts';
import { duration } from '../lib/format.ts';
import { useUrlState } from '../lib/url-state.ts';
import { EmptyState, ErrorState, Skeleton } from '../features/ui/states.tsx';
import { Time, useNow } from '../features/ui/time.tsx';

export interface AssistantSession {
  session_id: string; user_id: string | null; cwd: string | null; first_at: string; last_at: string;
  events: number; prompts: number; tool_calls: number; failures: number; ended: boolean;
}

const HOOK_EVENTS = ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'Notification', 'Stop', 'SubagentStop', 'SessionEnd'];
const WITH_MATCHER = new Set(['PreToolUse', 'PostToolUse', 'PostToolUseFailure']);

/** The command hook of the README, pointed at this server. */
export function hookSnippet(origin: string): string {
  const command = '{ "type": "command", "command": "npx runlog hook", "async": true }';
  const lines = HOOK_EVENTS.map((e) => `    ${JSON.stringify(e)}: [{ ${WITH_MATCHER.has(e) ? '"matcher": "*", ' : ''}"hooks": [${command}] }]`);
  return `{\n  "env": { "RUNLOG_URL": "${origin}", "RUNLOG_API_KEY": "<key with the ingest scope>" },\n  "hooks": {\n${lines.join(',\n')}\n  }\n}`;
}

export function SessionsPage() {
  const [params, update] = useUrlState();
  const days = params.get('days') ?? '7';
  const now = useNow();
  const q = useQuery({ queryKey: ['sessions', days], queryFn: () => apiGet<{ sessions: AssistantSession[] }>('/sessions', { days }) });
  return (
    <>
      <div className="page-head">
        <h1>Sessions</h1>
        <label className="inline"><span>Active in</span>
          <select value={days} onChange={(e) => update({ days: e.target.value })}>
            <option value="1">the last day</option><option value="7">the last 7 days</option><option value="30">the last 30 days</option>
          </select>
        </label>
      </div>
      {q.isPending ? <Skeleton rows={6} /> : q.isError ? (
        q.error instanceof ApiError && q.error.status === 404
          ? <EmptyState title="Sessions are not available on this server.">It does not offer <code>GET /api/v1/sessions</code> yet.</EmptyState>
          : <ErrorState what="sessions" error={q.error} retry={() => void q.refetch()} />
      ) : q.data.sessions.length === 0 ? (
        <EmptyState title="No coding-assistant sessions yet.">
          <p>Add Runlog's hook to Claude Code's <code>.claude/settings.json</code> (or <code>~/.claude/settings.json</code>) and every prompt and tool call shows here:</p>
          <pre className="snippet">{hookSnippet(location.origin)}</pre>
          <p>Make the key with <code>runlog keys create --tenant &lt;team&gt; --scopes ingest</code>; outside this repository use <code>node /path/to/runlog/packages/server/bin/runlog.js hook</code> as the command.</p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data">
            <caption className="sr-only">Coding-assistant sessions, most recently active first</caption>
            <thead><tr><th scope="col">Session</th><th scope="col">Who</th><th scope="col">Repository</th><th scope="col">Last active</th><th scope="col" className="num">Length</th><th scope="col" className="num">Prompts</th><th scope="col" className="num">Tool calls</th><th scope="col" className="num">Failures</th><th scope="col">State</th></tr></thead>
            <tbody>
              {q.data.sessions.map((s) => (
                <tr key={s.session_id}>
                  <td className="mono"><Link href={`/sessions/${encodeURIComponent(s.session_id)}`} title={s.session_id}>{s.session_id.slice(0, 18)}{s.session_id.length > 18 ? '…' : ''}</Link></td>
                  <td>{s.user_id ?? '—'}</td>
                  <td className="mono truncate" title={s.cwd ?? undefined}>{s.cwd ?? '—'}</td>
                  <td><Time iso={s.last_at} now={now} /></td>
                  <td className="num">{duration(Date.parse(s.last_at) - Date.parse(s.first_at))}</td>
                  <td className="num">{s.prompts}</td>
                  <td className="num">{s.tool_calls}</td>
                  <td className="num">{s.failures ? <span className="badge status-failed">✕ {s.failures}</span> : 0}</td>
                  <td>{s.ended ? <span className="muted">ended</span> : <span className="chip chip-live">open</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

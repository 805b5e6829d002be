import type { RenderProps } from './types.ts';
import { columnsOf, formatValue, getPointer, isObject, rowsOf } from './pointer.ts';

const TIME_KEYS = ['timestamp', 'time', 'ts', 'at', 'started_at', 'occurred_at', 'created_at', 'date'];

function timeOf(row: unknown, pointer: string | null): string | null {
  const direct = pointer ? getPointer(row, pointer) : undefined;
  if (typeof direct === 'string' && !Number.isNaN(Date.parse(direct))) return direct;
  if (isObject(row)) for (const k of TIME_KEYS) if (typeof row[k] === 'string' && !Number.isNaN(Date.parse(row[k] as string))) return row[k] as string;
  return null;
}

function gap(ms: number): string {
  if (ms < 1000) return `+${ms} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(1)} s`;
  return `+${Math.round(ms / 60_000)} min`;
}

/** Events in time order with their times and the gaps between them. */
export function TimelineRender({ data, render }: RenderProps) {
  const { rows, base } = rowsOf(data, render.fields);
  const columns = columnsOf(rows, render.fields, base);
  const timeColumn = columns.find((c) => /date|time/.test(c.format ?? '') || TIME_KEYS.includes(c.path.slice(1))) ?? null;
  const others = columns.filter((c) => c !== timeColumn);
  const events = rows.map((row) => ({ row, at: timeOf(row, timeColumn?.path ?? null) }))
    .sort((a, b) => (a.at && b.at ? Date.parse(a.at) - Date.parse(b.at) : 0));
  return (
    <ol className="render-timeline">
      {events.slice(0, 500).map(({ row, at }, i) => {
        const previous = i > 0 ? events[i - 1]!.at : null;
        return (
          <li key={i}>
            {at ? <time dateTime={at} title={at}>{new Date(at).toLocaleTimeString()}</time> : <span className="muted">no time</span>}
            {previous && at && <span className="gap">{gap(Date.parse(at) - Date.parse(previous))}</span>}
            <span className="timeline-body">
              {others.slice(0, 4).map((c) => {
                const v = getPointer(row, c.path);
                return v === undefined ? null : <span key={c.path}><span className="muted">{c.label}: </span>{formatValue(v, c.format)} </span>;
              })}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

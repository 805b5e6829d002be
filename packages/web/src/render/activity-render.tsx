import { useState, type ComponentType } from 'react';
import type { SchemaRender } from '../lib/types.ts';
import type { RenderProps } from './types.ts';
import { TableRender } from './table.tsx';
import { KeyValueRender } from './key-value.tsx';
import { TimelineRender } from './timeline.tsx';
import { MetricRender } from './metric.tsx';
import { ChartRender } from './chart.tsx';
import { CodeRender } from './code.tsx';
import { DiffRender } from './diff.tsx';
import { MarkdownRender } from './markdown.tsx';
import { ListRender } from './list.tsx';
import { JsonTree } from './json-tree.tsx';

export const STRATEGIES: Record<string, ComponentType<RenderProps>> = {
  table: TableRender,
  key_value: KeyValueRender,
  timeline: TimelineRender,
  metric: MetricRender,
  chart: ChartRender,
  code: CodeRender,
  diff: DiffRender,
  markdown: MarkdownRender,
  list: ListRender,
  json: ({ data }) => <JsonTree value={data} />,
};

const WAITING = new Set(['NOT_PROCESSED', 'PENDING', 'PROCESSING']);

/**
 * An activity's payload drawn by its stored render; while the render is pending the payload
 * is shown collapsed (a live activity_rendered redraws it in place). Raw JSON is one click away.
 */
export function ActivityRender({ data, render, status }: { data: unknown; render: SchemaRender | null | undefined; status?: string }) {
  const [raw, setRaw] = useState(false);
  if (data === null || data === undefined) return <p className="muted">No payload.</p>;
  const Strategy = render ? STRATEGIES[render.strategy] : undefined;
  const waiting = !Strategy && status !== undefined && WAITING.has(status);
  return (
    <section className="activity-render" aria-label="payload">
      <div className="render-bar">
        <span className="muted">
          {Strategy ? `${render!.title ? `${render!.title} · ` : ''}${render!.strategy.replace('_', ' ')}` : waiting ? 'Rendering…' : status === 'FAILED' ? 'Render failed: showing the payload' : 'Payload'}
        </span>
        <button type="button" aria-pressed={raw} onClick={() => setRaw(!raw)}>{raw ? 'Rendered view' : 'Raw JSON'}</button>
      </div>
      {raw || !Strategy ? <JsonTree value={data} open={raw || !waiting} /> : <Strategy data={data} render={render!} />}
    </section>
  );
}

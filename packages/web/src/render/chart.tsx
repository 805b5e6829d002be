import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RenderProps } from './types.ts';
import { getPointer, isObject, subjectOf } from './pointer.ts';

export interface Series { label: string; x: number[]; y: number[]; time: boolean }

const X_KEYS = ['x', 't', 'time', 'ts', 'timestamp', 'at', 'date'];
const Y_KEYS = ['y', 'value', 'v', 'count'];

function xValue(v: unknown, i: number): { n: number; time: boolean } {
  if (typeof v === 'number') return { n: v, time: false };
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return { n: Date.parse(v) / 1000, time: true };
  return { n: i, time: false };
}

/** A numeric series from the payload: numbers, or {x|t|time, y|value} points. */
export function seriesOf(data: unknown, render: RenderProps['render']): Series {
  const field = render.fields?.find((f) => Array.isArray(getPointer(data, f.path)));
  const value = field ? getPointer(data, field.path) : subjectOf(data).value;
  const points = Array.isArray(value) ? value : [];
  const x: number[] = [];
  const y: number[] = [];
  let time = false;
  points.forEach((p, i) => {
    if (typeof p === 'number') { x.push(i); y.push(p); return; }
    if (!isObject(p)) return;
    const xk = X_KEYS.find((k) => k in p);
    const yk = Y_KEYS.find((k) => typeof p[k] === 'number') ?? Object.keys(p).find((k) => typeof p[k] === 'number' && k !== xk);
    if (!yk) return;
    const xv = xValue(xk ? p[xk] : i, i);
    time ||= xv.time;
    x.push(xv.n);
    y.push(p[yk] as number);
  });
  return { label: field?.label ?? render.title ?? 'value', x, y, time };
}

const WHOLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 100_000];

/** A line chart (uPlot) with a summary in words for readers that do not see it. */
export function ChartRender({ data, render }: RenderProps) {
  const series = seriesOf(data, render);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    // No canvas (a test DOM, a locked-down browser): the summary below still tells the numbers.
    if (!el || series.y.length === 0 || !document.createElement('canvas').getContext?.('2d')) return;
    let plot: uPlot | undefined;
    try {
      const styles = getComputedStyle(el);
      const stroke = styles.getPropertyValue('--accent').trim() || '#2563eb';
      const wholeX = !series.time && series.x.every((x) => Number.isInteger(x));
      plot = new uPlot({
        width: Math.max(240, el.clientWidth || 480), height: 180,
        scales: { x: { time: series.time } },
        legend: { show: false },
        series: [{}, { label: series.label, stroke, width: 2, fill: `${stroke}22` }],
        // Positions in an array are whole numbers: no ticks between them.
        axes: [{ stroke: styles.color, ...(wholeX ? { incrs: WHOLE_STEPS } : {}) }, { stroke: styles.color }],
      }, [series.x, series.y], el);
    } catch {
      plot = undefined;
    }
    return () => plot?.destroy();
  }, [series.x, series.y, series.label, series.time]);
  const min = series.y.length ? Math.min(...series.y) : 0;
  const max = series.y.length ? Math.max(...series.y) : 0;
  return (
    <figure className="render-chart">
      <div ref={box} className="chart-box" role="img" aria-label={`${series.label}: ${series.y.length} points from ${min} to ${max}`} />
      <figcaption className="muted">{series.label}: {series.y.length} points, min {min.toLocaleString()}, max {max.toLocaleString()}, last {series.y.at(-1)?.toLocaleString() ?? '—'}</figcaption>
    </figure>
  );
}

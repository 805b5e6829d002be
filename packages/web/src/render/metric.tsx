import type { RenderProps } from './types.ts';
import { formatValue, getPointer, isObject, subjectOf } from './pointer.ts';

/** Big figures with their labels and units. */
export function MetricRender({ data, render }: RenderProps) {
  const subject = subjectOf(data).value;
  const figures: Array<[string, unknown, string | null | undefined]> = render.fields?.length
    ? render.fields.map((f) => [f.label, getPointer(data, f.path), f.format])
    : isObject(subject) ? Object.entries(subject).map(([k, v]) => [k, v, null]) : [[render.title ?? 'value', subject, null]];
  return (
    <div className="render-metric" role="list">
      {figures.map(([label, value, format], i) => (
        <div key={i} className="figure" role="listitem">
          <div className="figure-value">{formatValue(value, format)}</div>
          <div className="figure-label">{label}</div>
        </div>
      ))}
    </div>
  );
}

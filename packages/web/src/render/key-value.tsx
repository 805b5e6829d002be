import type { RenderProps } from './types.ts';
import { formatValue, getPointer, isObject, subjectOf } from './pointer.ts';

/** A flat object as a description list: labels from the render's fields, else the keys. */
export function KeyValueRender({ data, render }: RenderProps) {
  const entries: Array<[string, unknown, string | null | undefined]> = render.fields?.length
    ? render.fields.map((f) => [f.label, getPointer(data, f.path), f.format])
    : Object.entries(isObject(subjectOf(data).value) ? (subjectOf(data).value as object) : {}).map(([k, v]) => [k, v, null]);
  return (
    <dl className="render-kv">
      {entries.map(([label, value, format], i) => (
        <div key={i} className="kv-row">
          <dt>{label}</dt>
          <dd className={typeof value === 'number' ? 'num' : undefined}>{formatValue(value, format)}</dd>
        </div>
      ))}
    </dl>
  );
}

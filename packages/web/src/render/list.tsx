import type { RenderProps } from './types.ts';
import { formatValue, getPointer, subjectOf } from './pointer.ts';

/** An array of scalars as a list. */
export function ListRender({ data, render }: RenderProps) {
  const field = render.fields?.[0];
  const value = field ? getPointer(data, field.path) : subjectOf(data).value;
  const items = Array.isArray(value) ? value : [value];
  return (
    <ul className="render-list">
      {items.slice(0, 500).map((item, i) => <li key={i}>{formatValue(item, field?.format)}</li>)}
      {items.length > 500 && <li className="muted">… {items.length - 500} more (see the raw JSON)</li>}
    </ul>
  );
}

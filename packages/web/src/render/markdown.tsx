import type { RenderProps } from './types.ts';
import { getPointer, isObject, subjectOf } from './pointer.ts';
import { markdownToReact } from './markdown-parse.tsx';

export function markdownOf(data: unknown, render: RenderProps['render']): string {
  const field = render.fields?.find((f) => typeof getPointer(data, f.path) === 'string');
  if (field) return getPointer(data, field.path) as string;
  const subject = subjectOf(data).value;
  if (typeof subject === 'string') return subject;
  if (isObject(data)) {
    const text = Object.values(data).find((v) => typeof v === 'string' && v.length > 0);
    if (typeof text === 'string') return text;
  }
  return '';
}

/** Markdown drawn as elements built from its text; raw HTML inside it stays text. */
export function MarkdownRender({ data, render }: RenderProps) {
  return <div className="render-markdown">{markdownToReact(markdownOf(data, render).slice(0, 200_000))}</div>;
}

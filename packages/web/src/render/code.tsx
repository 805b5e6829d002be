import { useState } from 'react';
import type { RenderProps } from './types.ts';
import { getPointer, isObject, subjectOf } from './pointer.ts';
import { tokenize } from './highlight.ts';

/** The code string of a payload, and its language hint when it has one. */
export function codeOf(data: unknown, render: RenderProps['render']): { code: string; language: string | null } {
  const field = render.fields?.find((f) => typeof getPointer(data, f.path) === 'string');
  const value = field ? getPointer(data, field.path) : subjectOf(data).value;
  const language = isObject(data) ? ((data.language ?? data.lang) as string | undefined) ?? null : null;
  if (typeof value === 'string') return { code: value, language };
  if (isObject(data)) {
    const text = Object.values(data).find((v) => typeof v === 'string' && v.includes('\n')) ?? data.code ?? data.source;
    if (typeof text === 'string') return { code: text, language };
  }
  return { code: JSON.stringify(value, null, 2), language: 'json' };
}

/** Monospace, highlighted by a small tokenizer (text nodes only), with a copy button. */
export function CodeRender({ data, render }: RenderProps) {
  const { code, language } = codeOf(data, render);
  const [copied, setCopied] = useState(false);
  return (
    <div className="render-code">
      <div className="code-bar">
        <span className="muted">{language ?? 'code'}</span>
        <button type="button" onClick={() => void navigator.clipboard?.writeText(code).then(() => setCopied(true))}>{copied ? 'Copied' : 'Copy'}</button>
      </div>
      <pre><code>{tokenize(code.slice(0, 200_000)).map((t, i) => (t.kind ? <span key={i} className={`tok-${t.kind}`}>{t.text}</span> : t.text))}</code></pre>
    </div>
  );
}

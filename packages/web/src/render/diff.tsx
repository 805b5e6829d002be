import type { RenderProps } from './types.ts';
import { getPointer, isObject, subjectOf } from './pointer.ts';

export interface DiffLine { kind: 'add' | 'del' | 'ctx' | 'hunk'; text: string }

/** Line diff by longest common subsequence (bounded: big inputs fall back to delete-then-add). */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length * b.length > 4_000_000) return [...a.map((text) => ({ kind: 'del' as const, text })), ...b.map((text) => ({ kind: 'add' as const, text }))];
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) {
    lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { out.push({ kind: 'ctx', text: a[i]! }); i++; j++; }
    else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ kind: 'del', text: a[i++]! });
    else out.push({ kind: 'add', text: b[j++]! });
  }
  while (i < a.length) out.push({ kind: 'del', text: a[i++]! });
  while (j < b.length) out.push({ kind: 'add', text: b[j++]! });
  return out;
}

export function parseUnified(text: string): DiffLine[] {
  return text.split('\n').map((line) => {
    if (line.startsWith('@@')) return { kind: 'hunk', text: line };
    if (line.startsWith('+') && !line.startsWith('+++')) return { kind: 'add', text: line.slice(1) };
    if (line.startsWith('-') && !line.startsWith('---')) return { kind: 'del', text: line.slice(1) };
    return { kind: 'ctx', text: line.startsWith(' ') ? line.slice(1) : line };
  });
}

function linesOf(data: unknown, render: RenderProps['render']): DiffLine[] {
  const subject = subjectOf(data).value;
  const source = isObject(subject) ? subject : isObject(data) ? data : null;
  if (source) {
    const before = source.before ?? source.old ?? source.original;
    const after = source.after ?? source.new ?? source.modified;
    if (typeof before === 'string' && typeof after === 'string') return diffLines(before, after);
  }
  const field = render.fields?.find((f) => typeof getPointer(data, f.path) === 'string');
  const text = field ? getPointer(data, field.path) : typeof subject === 'string' ? subject : source && Object.values(source).find((v) => typeof v === 'string');
  return typeof text === 'string' ? parseUnified(text) : [];
}

const MARK = { add: '+', del: '−', ctx: ' ', hunk: '' } as const;

/** Unified view: added and removed lines marked with colour and with + / −. */
export function DiffRender({ data, render }: RenderProps) {
  const lines = linesOf(data, render);
  return (
    <pre className="render-diff" aria-label="diff">
      {lines.slice(0, 5000).map((line, i) => (
        <div key={i} className={`diff-${line.kind}`}>
          <span className="diff-mark" aria-label={line.kind === 'add' ? 'added' : line.kind === 'del' ? 'removed' : undefined}>{MARK[line.kind]}</span>
          {line.text}
        </div>
      ))}
    </pre>
  );
}

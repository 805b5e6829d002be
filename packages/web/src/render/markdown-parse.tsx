import type { ReactNode } from 'react';

/**
 * A small Markdown reader that builds React elements directly: raw HTML in the source stays
 * text, links keep only http(s), mailto and relative targets, images become links. Nothing
 * from the payload is ever parsed as HTML, so nothing in it can run.
 */
export function safeHref(url: string): string | null {
  const trimmed = url.trim();
  if (/^(https?:|mailto:)/i.test(trimmed)) return trimmed;
  if (/^[/#?]/.test(trimmed) && !trimmed.startsWith('//')) return trimmed;
  return null;
}

const INLINE = /(`+)([\s\S]*?)\1|!?\[([^\]]*)\]\(([^)\s]*)(?:\s+"[^"]*")?\)|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|(https?:\/\/[^\s<>()]+)/g;

export function inline(text: string, keyPrefix = ''): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let n = 0;
  for (const m of text.matchAll(INLINE)) {
    const index = m.index ?? 0;
    if (index > last) out.push(text.slice(last, index));
    const key = `${keyPrefix}${n++}`;
    if (m[1]) out.push(<code key={key}>{m[2]}</code>);
    else if (m[4] !== undefined) {
      const href = safeHref(m[4]);
      const label = m[3] || m[4];
      out.push(href ? <a key={key} href={href} rel="noopener noreferrer nofollow" target="_blank">{label}</a> : <span key={key}>{label}</span>);
    } else if (m[5] || m[6]) out.push(<strong key={key}>{inline(m[5] ?? m[6]!, `${key}-`)}</strong>);
    else if (m[7] || m[8]) out.push(<em key={key}>{inline(m[7] ?? m[8]!, `${key}-`)}</em>);
    else if (m[9]) out.push(<a key={key} href={m[9]} rel="noopener noreferrer nofollow" target="_blank">{m[9]}</a>);
    last = index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

type Block =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'code'; lang: string; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'quote'; text: string }
  | { kind: 'rule' }
  | { kind: 'paragraph'; text: string };

export function blocks(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const out: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = /^\s*(```|~~~)\s*([\w+-]*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trim().startsWith(fence[1]!)) body.push(lines[i++]!);
      i++;
      out.push({ kind: 'code', lang: fence[2] ?? '', text: body.join('\n') });
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) { out.push({ kind: 'heading', level: heading[1]!.length, text: heading[2]!.replace(/\s#+\s*$/, '') }); i++; continue; }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) { out.push({ kind: 'rule' }); i++; continue; }
    const item = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (item) {
      const ordered = /\d/.test(item[1]!);
      const items: string[] = [];
      while (i < lines.length) {
        const m = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i]!);
        if (!m || /\d/.test(m[1]!) !== ordered) break;
        items.push(m[2]!);
        i++;
      }
      out.push({ kind: 'list', ordered, items });
      continue;
    }
    if (/^\s*>/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i]!)) body.push(lines[i++]!.replace(/^\s*>\s?/, ''));
      out.push({ kind: 'quote', text: body.join(' ') });
      continue;
    }
    if (line.trim() === '') { i++; continue; }
    const body: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && !/^(#{1,6}\s|\s*```|\s*~~~|\s*>|\s*([-*+]|\d+[.)])\s)/.test(lines[i]!)) body.push(lines[i++]!);
    if (body.length === 0) body.push(lines[i++]!);
    out.push({ kind: 'paragraph', text: body.join(' ') });
  }
  return out;
}

export function markdownToReact(source: string): ReactNode[] {
  return blocks(source).map((block, i) => {
    const key = `b${i}`;
    switch (block.kind) {
      case 'heading': {
        const Tag = `h${Math.min(6, block.level + 2)}` as 'h3';
        return <Tag key={key}>{inline(block.text, key)}</Tag>;
      }
      case 'code': return <pre key={key} className="md-code"><code>{block.text}</code></pre>;
      case 'list': {
        const Tag = block.ordered ? 'ol' : 'ul';
        return <Tag key={key}>{block.items.map((item, n) => <li key={n}>{inline(item, `${key}-${n}-`)}</li>)}</Tag>;
      }
      case 'quote': return <blockquote key={key}>{inline(block.text, key)}</blockquote>;
      case 'rule': return <hr key={key} />;
      default: return <p key={key}>{inline(block.text, key)}</p>;
    }
  });
}

import { Link } from 'wouter';

/** Horizontal bars with their counts written out: a chart that is also a readable list. */
export function Bars({ items, hrefOf, label }: { items: Array<{ key: string; count: number }>; hrefOf?: (key: string) => string; label: string }) {
  const max = Math.max(1, ...items.map((i) => i.count));
  return (
    <ul className="bars" aria-label={label}>
      {items.map((item) => (
        <li key={item.key}>
          <span className="bar-key" title={item.key}>{hrefOf ? <Link href={hrefOf(item.key)}>{item.key}</Link> : item.key}</span>
          <span className="bar-track"><span className="bar-fill" style={{ width: `${(item.count / max) * 100}%` }} /></span>
          <span className="bar-count num">{item.count.toLocaleString('en-US')}</span>
        </li>
      ))}
    </ul>
  );
}

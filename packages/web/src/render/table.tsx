import { useMemo, useState } from 'react';
import type { RenderProps } from './types.ts';
import { columnsOf, formatValue, getPointer, rowsOf } from './pointer.ts';

const PAGE = 50;

/** Rows as an HTML table: the field labels as headers, sortable, long tables paged. */
export function TableRender({ data, render }: RenderProps) {
  const { rows, base } = rowsOf(data, render.fields);
  const columns = columnsOf(rows, render.fields, base);
  const [sort, setSort] = useState<{ column: number; descending: boolean } | null>(null);
  const [page, setPage] = useState(0);
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const pointer = columns[sort.column]!.path;
    return rows.slice().sort((a, b) => {
      const x = getPointer(a, pointer) as any;
      const y = getPointer(b, pointer) as any;
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
      return sort.descending ? -order : order;
    });
  }, [rows, columns, sort]);
  const pages = Math.max(1, Math.ceil(sorted.length / PAGE));
  const shown = sorted.slice(page * PAGE, page * PAGE + PAGE);

  return (
    <div className="render-table">
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              {columns.map((c, i) => (
                <th key={c.path + i} scope="col" aria-sort={sort?.column === i ? (sort.descending ? 'descending' : 'ascending') : undefined}>
                  <button type="button" className="sort" onClick={() => setSort({ column: i, descending: sort?.column === i ? !sort.descending : false })}>
                    {c.label}{sort?.column === i ? (sort.descending ? ' ▼' : ' ▲') : ''}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row, r) => (
              <tr key={r}>
                {columns.map((c, i) => {
                  const value = getPointer(row, c.path);
                  return <td key={i} className={typeof value === 'number' ? 'num' : undefined}>{formatValue(value, c.format)}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <div className="pager">
          <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</button>
          <span>Page {page + 1} of {pages} ({sorted.length} rows)</span>
          <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>Next</button>
        </div>
      )}
    </div>
  );
}

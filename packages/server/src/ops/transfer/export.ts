import type { Queryable } from '../../db/database.ts';
import { exportPage, TABLES, type ExportFilter, type Table } from './transfer.repository.ts';

export const EXPORT_FORMAT = 'runlog-export';
export const EXPORT_VERSION = 1;

export interface ExportHeader {
  type: 'header';
  format: typeof EXPORT_FORMAT;
  version: number;
  tenant: string;
  exported_at: string;
  filters: { since: string | null; until: string | null; project_id: string | null };
}

/**
 * One tenant as NDJSON lines: a header, then `{"type":<table>,"row":{…}}` per row, table by
 * table in foreign-key order, then `{"type":"end","counts":{…}}` (an import refuses a file
 * without it: a cut-off file is not mistaken for a whole one). Pages of 1,000 rows by key, so
 * memory stays flat whatever the tenant's size.
 */
export async function* exportLines(db: Queryable, tenantName: string, filter: ExportFilter, onTable?: (table: Table, n: number) => void): AsyncGenerator<string> {
  const header: ExportHeader = {
    type: 'header', format: EXPORT_FORMAT, version: EXPORT_VERSION, tenant: tenantName, exported_at: new Date().toISOString(),
    filters: { since: filter.since?.toISOString() ?? null, until: filter.until?.toISOString() ?? null, project_id: filter.projectId },
  };
  yield `${JSON.stringify(header)}\n`;
  const counts: Partial<Record<Table, number>> = {};
  for (const table of TABLES) {
    let after: unknown[] | null = null;
    let n = 0;
    for (;;) {
      const page = await exportPage(db, table, filter, after);
      if (page.length === 0) break;
      // The row is PostgreSQL's own JSON text: spliced in as is, never re-encoded.
      yield page.map((r) => `{"type":"${table}","row":${r.row}}\n`).join('');
      n += page.length;
      after = page[page.length - 1]!.key;
      onTable?.(table, n);
    }
    counts[table] = n;
  }
  yield `${JSON.stringify({ type: 'end', counts })}\n`;
}

import type { Database, Queryable } from '../../db/database.ts';
import { refreshWorkUnitStats } from '../../domain/registry/registry.repository.ts';
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportHeader } from './export.ts';
import * as repo from './transfer.repository.ts';
import { TABLES, type Table } from './transfer.repository.ts';

/** Rows written per transaction: short transactions, so a running server keeps answering. */
export const IMPORT_BATCH = 500;

export class ImportFormatError extends Error {}

type Row = Record<string, unknown>;

/** Columns naming a user of the tenant: remapped when an imported user's email already had another id. */
const USER_COLUMNS = ['user_id', 'created_by', 'invited_by', 'added_by'];

export interface ImportResult {
  tenant: string;
  /** Rows in the file, by table. */
  read: Record<Table, number>;
  /** Rows this import added (0 everywhere for a file imported before). */
  added: Record<Table, number>;
}

const zero = () => Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<Table, number>;

/**
 * Writes an export into a tenant (found by name, created if missing), idempotently: every row
 * whose key is already there is skipped. Users are matched by email; activities get new seqs
 * after the target's newest. Work units' run figures are recounted at the end, so a filtered
 * export still leaves them right.
 */
export function createImporter(db: Database, ensureTenant: (name: string) => Promise<{ id: string; name: string }>, tenantOverride: string | null) {
  let tenantId = '';
  let pending: { table: Table; rows: Row[] } | null = null;
  const userIds = new Map<string, string>();
  const units = new Set<string>();
  const result: ImportResult = { tenant: '', read: zero(), added: zero() };
  let state: 'start' | 'rows' | 'ended' = 'start';
  let lastTable = -1;

  function remapUsers(row: Row): Row {
    for (const column of USER_COLUMNS) {
      const to = typeof row[column] === 'string' ? userIds.get(row[column] as string) : undefined;
      if (to) row[column] = to;
    }
    return row;
  }

  async function writeUsers(tx: Queryable, rows: Row[]): Promise<number> {
    const added = await repo.insertRows(tx, 'users', rows);
    const byEmail = new Map((await repo.userIdsByEmail(tx, tenantId, rows.map((r) => String(r.email)))).map((u) => [u.email, u.id]));
    for (const r of rows) {
      const target = byEmail.get(String(r.email).toLowerCase());
      if (target && target !== r.id) userIds.set(String(r.id), target);
    }
    return added;
  }

  async function writeActivities(tx: Queryable, rows: Row[]): Promise<number> {
    const existing = await repo.existingActivityIds(tx, tenantId, rows.map((r) => String(r.id)));
    const fresh = rows.filter((r) => !existing.has(String(r.id))).sort((a, b) => Number(a.seq) - Number(b.seq));
    if (fresh.length === 0) return 0;
    const first = await repo.allocateSeqs(tx, tenantId, fresh.length);
    return repo.insertActivities(tx, fresh.map((r, i) => ({ ...r, seq: first + i })));
  }

  async function flush() {
    if (!pending || pending.rows.length === 0) return;
    const { table, rows } = pending;
    pending = { table, rows: [] };
    const withTenant = rows.map((r) => remapUsers({ ...r, tenant_id: tenantId }));
    for (const r of withTenant) {
      if (table === 'runs' && typeof r.work_unit_id === 'string') units.add(r.work_unit_id);
      if (table === 'work_units') units.add(String(r.id));
    }
    result.added[table] += await db.transaction(async (tx) => {
      if (table === 'users') return writeUsers(tx, withTenant);
      if (table === 'activities') return writeActivities(tx, withTenant);
      return repo.insertRows(tx, table, withTenant);
    });
  }

  async function header(line: ExportHeader) {
    if (line.format !== EXPORT_FORMAT) throw new ImportFormatError('not a runlog export (its first line has no runlog-export header)');
    if (line.version > EXPORT_VERSION) throw new ImportFormatError(`export format ${line.version} is newer than this runlog reads (${EXPORT_VERSION})`);
    const tenant = await ensureTenant(tenantOverride ?? line.tenant);
    tenantId = tenant.id;
    result.tenant = tenant.name;
    state = 'rows';
  }

  return {
    /** One line of the file, in order. */
    async line(text: string, lineNo: number): Promise<void> {
      if (text.trim() === '') return;
      let parsed: { type?: string; row?: Row; counts?: Record<string, number> };
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ImportFormatError(`line ${lineNo} is not JSON`);
      }
      if (state === 'start') {
        if (parsed.type !== 'header') throw new ImportFormatError('not a runlog export (its first line has no runlog-export header)');
        return header(parsed as ExportHeader);
      }
      if (state === 'ended') throw new ImportFormatError(`line ${lineNo} comes after the end line`);
      if (parsed.type === 'end') {
        await flush();
        state = 'ended';
        return;
      }
      const index = TABLES.indexOf(parsed.type as Table);
      if (index < 0 || !parsed.row || typeof parsed.row !== 'object') throw new ImportFormatError(`line ${lineNo}: unknown type "${parsed.type}"`);
      if (index < lastTable) throw new ImportFormatError(`line ${lineNo}: ${parsed.type} rows must come before ${TABLES[lastTable]} rows`);
      lastTable = index;
      const table = parsed.type as Table;
      if (pending?.table !== table) {
        await flush();
        pending = { table, rows: [] };
      }
      pending!.rows.push(parsed.row);
      result.read[table]++;
      if (pending!.rows.length >= IMPORT_BATCH) await flush();
    },

    /** After the last line: refuses a cut-off file, then recounts the work units' figures. */
    async finish(): Promise<ImportResult> {
      if (state !== 'ended') throw new ImportFormatError(state === 'start' ? 'the file is empty' : 'the file ends before its end line (cut off?); what was read is imported, import the whole file again');
      const ids = [...units];
      for (let i = 0; i < ids.length; i += IMPORT_BATCH) {
        await db.transaction((tx) => refreshWorkUnitStats(tx, tenantId, ids.slice(i, i + IMPORT_BATCH)));
      }
      return result;
    },
  };
}

import type { AuditTables } from '@agent-orchestrator/audit-store';
import type { AuditExportRange } from '@agent-orchestrator/contracts';
import type pg from 'pg';

/** Which of the tenant's leaves below the checkpoint's tree size a bundle holds. */
export type Selection =
  | { readonly mode: 'range'; readonly first: number; readonly end: number; readonly events: number; readonly streams: number }
  | { readonly mode: 'inclusion'; readonly sessionIds: readonly string[]; readonly first: number; readonly end: number; readonly events: number; readonly streams: number };

/**
 * The contract's selection, as SQL over the leaves table: with from/to the contiguous run from the
 * first position whose event occurred at or after `from` to the last whose event occurred before
 * `to` (events between are in, whatever their clocks say); with neither, everything below
 * `treeSize`; with sessionIds, the events whose correlation id is one of them.
 */
export async function selectLeaves(pool: pg.Pool, tables: AuditTables, tenantId: string, range: AuditExportRange, treeSize: number): Promise<Selection> {
  if (range.sessionIds !== undefined) {
    const { rows } = await pool.query<{ events: string; streams: string; first: string | null; last: string | null }>(
      `SELECT count(*) AS events, count(DISTINCT stream_id) AS streams, min(position) AS first, max(position) AS last
         FROM ${tables.leaves} WHERE tenant_id = $1 AND correlation_id = ANY($2) AND position < $3`,
      [tenantId, range.sessionIds, treeSize],
    );
    const row = rows[0]!;
    const first = row.first === null ? 0 : Number(row.first);
    return { mode: 'inclusion', sessionIds: range.sessionIds, first, end: row.last === null ? 0 : Number(row.last) + 1, events: Number(row.events), streams: Number(row.streams) };
  }
  const bound = async (sql: string, at: string): Promise<number | undefined> => {
    const { rows } = await pool.query<{ position: string | null }>(sql, [tenantId, at, treeSize]);
    return rows[0]?.position === null || rows[0] === undefined ? undefined : Number(rows[0].position);
  };
  let first = 0;
  let end = treeSize;
  if (range.from !== undefined) first = (await bound(`SELECT min(position) AS position FROM ${tables.leaves} WHERE tenant_id = $1 AND occurred_at >= $2 AND position < $3`, range.from)) ?? treeSize;
  if (range.to !== undefined) {
    const last = await bound(`SELECT max(position) AS position FROM ${tables.leaves} WHERE tenant_id = $1 AND occurred_at < $2 AND position < $3`, range.to);
    end = last === undefined ? 0 : last + 1;
  }
  // Nothing in the window: an empty run where it would have started.
  if (end <= first) end = first = Math.min(first, treeSize);
  const { rows } = await pool.query<{ streams: string }>(`SELECT count(DISTINCT stream_id) AS streams FROM ${tables.leaves} WHERE tenant_id = $1 AND position >= $2 AND position < $3`, [tenantId, first, end]);
  return { mode: 'range', first, end, events: end - first, streams: Number(rows[0]!.streams) };
}

/** The SQL condition (on alias `s`, tenant $1) that picks the selection's leaves; its parameters follow from $2. */
export function selectionCondition(selection: Selection): { readonly sql: string; readonly values: unknown[] } {
  return selection.mode === 'range'
    ? { sql: 's.position >= $2 AND s.position < $3', values: [selection.first, selection.end] }
    : { sql: 's.correlation_id = ANY($2) AND s.position < $3', values: [selection.sessionIds, selection.end] };
}

import type { OperationCounts, OperationFilterRecord, OperationItemRecord, OperationScopeRecord } from '@agent-orchestrator/contracts';
import { operationsTables } from './operations-projection.js';

export type OperationStatus = 'planned' | 'running' | 'paused' | 'completed' | 'aborted' | 'failed';

/** An operation as the API shows it: its plan, where it stands, and when it will be done. */
export interface OperationRecord {
  readonly operationId: string;
  readonly kind: string;
  readonly filter: OperationFilterRecord;
  readonly scope: OperationScopeRecord;
  readonly status: OperationStatus;
  /** The operator's reason; why the plan was refused (status failed); why it was aborted. */
  readonly reason: string | null;
  readonly refusal: string | null;
  readonly abortReason: string | null;
  readonly rate: number;
  readonly total: number;
  readonly done: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  /** Seconds until every item has its outcome, from the rate measured since it last started or resumed (the asked rate before any item is done); null once ended. */
  readonly etaSeconds: number | null;
  readonly counts: OperationCounts;
  /** How many items repeat a side effect when acted on. */
  readonly repeatsSideEffect: number;
  readonly requestedBy: { readonly kind: string; readonly id: string };
  readonly requestedAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
}

export interface OperationItemRow extends OperationItemRecord {
  readonly position: number;
  readonly outcome: 'succeeded' | 'failed' | 'skipped' | null;
  readonly detail: unknown;
  readonly executedAt: string | null;
}

/** Whatever runs SQL: a pg pool or client, under a tenant's scope (withTenant) or as the owner (the platform admin). */
export interface SqlReader {
  query<Row extends object>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
}

interface OperationRow {
  operation_id: string;
  kind: string;
  filter: OperationFilterRecord;
  scope: OperationScopeRecord;
  status: OperationStatus;
  reason: string | null;
  refusal: string | null;
  abort_reason: string | null;
  rate: number;
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  skipped: number;
  counts: OperationCounts;
  repeats_side_effect: number;
  requested_by: { kind: string; id: string };
  requested_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  running_since: Date | null;
  done_at_running_since: number;
  last_item_at: Date | null;
}

function etaSeconds(row: OperationRow): number | null {
  if (row.status === 'completed' || row.status === 'aborted' || row.status === 'failed') return null;
  const left = row.total - row.done;
  if (left <= 0) return 0;
  const doneSince = row.done - row.done_at_running_since;
  if (row.status === 'running' && row.running_since && row.last_item_at && doneSince > 0) {
    const seconds = (row.last_item_at.getTime() - row.running_since.getTime()) / 1000;
    if (seconds > 0) return Math.ceil(left / (doneSince / seconds));
  }
  return Math.ceil(left / row.rate);
}

function toRecord(row: OperationRow): OperationRecord {
  return {
    operationId: row.operation_id,
    kind: row.kind,
    filter: row.filter,
    scope: row.scope,
    status: row.status,
    reason: row.reason,
    refusal: row.refusal,
    abortReason: row.abort_reason,
    rate: row.rate,
    total: row.total,
    done: row.done,
    succeeded: row.succeeded,
    failed: row.failed,
    skipped: row.skipped,
    etaSeconds: etaSeconds(row),
    counts: row.counts,
    repeatsSideEffect: row.repeats_side_effect,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    endedAt: row.ended_at?.toISOString() ?? null,
  };
}

const maxLimit = 500;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const encodeCursor = (parts: readonly (string | number)[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
function decodeCursor(cursor: string | undefined): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(parts) ? parts : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the operations read model. Which rows a caller sees is the reader's business: a tenant's
 * pool under withTenant sees its tenant's, the owner's sees every operation (the platform admin's).
 */
export class OperationQueries {
  private readonly tables: ReturnType<typeof operationsTables>;

  constructor(schema: string) {
    this.tables = operationsTables(schema);
  }

  /** Newest first; `cursor` continues where the previous page ended (an unreadable one starts again from the newest). */
  async list(db: SqlReader, page: { readonly cursor?: string; readonly limit?: number } = {}): Promise<{ operations: OperationRecord[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(page.limit ?? 50, 1), maxLimit);
    const parts = decodeCursor(page.cursor);
    const after = parts && typeof parts[0] === 'string' && !Number.isNaN(Date.parse(parts[0])) && typeof parts[1] === 'string' && uuidPattern.test(parts[1]) ? parts : undefined;
    const { rows } = after
      ? await db.query<OperationRow>(`SELECT * FROM ${this.tables.operations} WHERE (requested_at, operation_id) < ($1::timestamptz, $2::uuid) ORDER BY requested_at DESC, operation_id DESC LIMIT $3`, [after[0], after[1], limit + 1])
      : await db.query<OperationRow>(`SELECT * FROM ${this.tables.operations} ORDER BY requested_at DESC, operation_id DESC LIMIT $1`, [limit + 1]);
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    return { operations: shown.map(toRecord), nextCursor: rows.length > limit && last ? encodeCursor([last.requested_at.toISOString(), last.operation_id]) : null };
  }

  async get(db: SqlReader, operationId: string): Promise<OperationRecord | undefined> {
    const { rows } = await db.query<OperationRow>(`SELECT * FROM ${this.tables.operations} WHERE operation_id = $1`, [operationId]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** The planned items in plan order, with their outcomes so far. */
  async items(db: SqlReader, operationId: string, page: { readonly cursor?: string; readonly limit?: number } = {}): Promise<{ items: OperationItemRow[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(page.limit ?? 100, 1), maxLimit);
    const from = Number(decodeCursor(page.cursor)?.[0] ?? 0);
    const { rows } = await db.query<{ position: number; item: OperationItemRecord; outcome: OperationItemRow['outcome']; detail: unknown; executed_at: Date | null }>(
      `SELECT position, item, outcome, detail, executed_at FROM ${this.tables.items} WHERE operation_id = $1 AND position >= $2 ORDER BY position LIMIT $3`,
      [operationId, Number.isInteger(from) ? from : 0, limit + 1],
    );
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    return {
      items: shown.map((row) => ({ ...row.item, position: row.position, outcome: row.outcome, detail: row.detail, executedAt: row.executed_at?.toISOString() ?? null })),
      nextCursor: rows.length > limit && last ? encodeCursor([last.position + 1]) : null,
    };
  }

  /** Every running operation (as the owner: every tenant's), for the replay service's sweep. */
  async runningIds(db: SqlReader): Promise<string[]> {
    const { rows } = await db.query<{ operation_id: string }>(`SELECT operation_id FROM ${this.tables.operations} WHERE status = 'running'`);
    return rows.map((row) => row.operation_id);
  }
}

import { withTenant } from '@agent-orchestrator/postgres';
import type pg from 'pg';
import { deadLettersTableName, type DeadLetterSource, type DeadLetterStatus } from './dead-letters.js';

/** One row as lists show it: everything but the message itself. */
export interface DeadLetterRecord {
  readonly id: string;
  readonly source: DeadLetterSource;
  readonly tenantId: string | null;
  readonly consumer: string;
  readonly errorCode: string;
  readonly reason: string;
  readonly attempts: number;
  readonly sourceTopic: string | null;
  readonly sourcePartition: number | null;
  readonly sourceOffset: string | null;
  readonly sessionId: string | null;
  readonly tool: string | null;
  readonly messageType: string | null;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly status: DeadLetterStatus;
  readonly redriveCount: number;
  readonly discardReason: string | null;
  /** The operation that redrove or discarded it last. */
  readonly actedBy: string | null;
  readonly actedAt: Date | null;
  /** null when it could not be told from the message. */
  readonly repeatsSideEffect: boolean | null;
  readonly sideEffectNote: string | null;
}

/** A row with the message as it was consumed, to show or to produce again. */
export interface DeadLetterMessage extends DeadLetterRecord {
  /** The position of the sighting the row reflects (see DeadLetterEntry.position). */
  readonly position: string;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: Buffer | null;
}

/** Who reads: one tenant's rows (its operators and admins), or every row (the platform admin, and the replay service). */
export type DeadLetterScope = { readonly kind: 'tenant'; readonly tenantId: string } | { readonly kind: 'platform' };

export interface DeadLetterFilter {
  readonly ids?: readonly string[];
  readonly source?: DeadLetterSource;
  readonly consumer?: string;
  readonly code?: string;
  readonly tool?: string;
  /** One tenant, for the platform scope; a tenant scope has its own already. */
  readonly tenant?: string;
  /** On or after / before, on the last sighting. */
  readonly since?: Date;
  readonly until?: Date;
  readonly status?: DeadLetterStatus;
}

export interface DeadLetterPage {
  readonly items: readonly DeadLetterRecord[];
  /** The last item's place, for the next page; absent on the last page. */
  readonly next?: { readonly lastSeen: Date; readonly id: string };
}

interface Row {
  id: string;
  source: DeadLetterSource;
  tenant_id: string | null;
  consumer: string;
  error_code: string;
  reason: string;
  attempts: number;
  source_topic: string | null;
  source_partition: number | null;
  source_offset: string | null;
  session_id: string | null;
  tool: string | null;
  message_type: string | null;
  first_seen: Date;
  last_seen: Date;
  status: DeadLetterStatus;
  redrive_count: number;
  discard_reason: string | null;
  acted_by: string | null;
  acted_at: Date | null;
  repeats_side_effect: boolean | null;
  side_effect_note: string | null;
  position?: string;
  message_key?: string | null;
  headers?: Record<string, string>;
  value?: Buffer | null;
}

const listed = `id, source, tenant_id, consumer, error_code, reason, attempts, source_topic, source_partition, source_offset, session_id, tool, message_type,
  first_seen, last_seen, status, redrive_count, discard_reason, acted_by, acted_at, repeats_side_effect, side_effect_note`;

function toRecord(row: Row): DeadLetterRecord {
  return {
    id: row.id,
    source: row.source,
    tenantId: row.tenant_id,
    consumer: row.consumer,
    errorCode: row.error_code,
    reason: row.reason,
    attempts: row.attempts,
    sourceTopic: row.source_topic,
    sourcePartition: row.source_partition,
    sourceOffset: row.source_offset,
    sessionId: row.session_id,
    tool: row.tool,
    messageType: row.message_type,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    status: row.status,
    redriveCount: row.redrive_count,
    discardReason: row.discard_reason,
    actedBy: row.acted_by,
    actedAt: row.acted_at,
    repeatsSideEffect: row.repeats_side_effect,
    sideEffectNote: row.side_effect_note,
  };
}

function toMessage(row: Row): DeadLetterMessage {
  return { ...toRecord(row), position: row.position ?? '0', key: row.message_key ?? null, headers: row.headers ?? {}, value: row.value ?? null };
}

/**
 * Reads of the dead-letter index. A tenant's reads run as the application role in its tenant
 * scope, so row-level security holds whatever the filter says; the platform's on the owner's pool
 * (rows of no tenant, undecodable messages, are the platform admin's alone).
 */
export class DeadLetterQueries {
  private readonly table: string;

  constructor(
    private readonly database: { readonly pool: pg.Pool; readonly tenantPool: pg.Pool },
    schema: string,
  ) {
    this.table = deadLettersTableName(schema);
  }

  /** Newest sighting first. */
  async list(scope: DeadLetterScope, filter: DeadLetterFilter, page: { readonly limit: number; readonly after?: { readonly lastSeen: Date; readonly id: string } }): Promise<DeadLetterPage> {
    const { where, values } = this.conditions(scope, filter);
    if (page.after) where.push(`(last_seen, id) < ($${values.push(page.after.lastSeen)}, $${values.push(page.after.id)})`);
    const rows = await this.read<Row>(scope, `SELECT ${listed} FROM ${this.table} WHERE ${where.join(' AND ')} ORDER BY last_seen DESC, id DESC LIMIT $${values.push(page.limit + 1)}`, values);
    const items = rows.slice(0, page.limit).map(toRecord);
    const last = items.at(-1);
    return rows.length > page.limit && last ? { items, next: { lastSeen: last.lastSeen, id: last.id } } : { items };
  }

  /** Every row the filter selects, oldest first sighting first (a stable order for an operation's items). */
  async matching(scope: DeadLetterScope, filter: DeadLetterFilter): Promise<DeadLetterRecord[]> {
    const { where, values } = this.conditions(scope, filter);
    return (await this.read<Row>(scope, `SELECT ${listed} FROM ${this.table} WHERE ${where.join(' AND ')} ORDER BY first_seen, id`, values)).map(toRecord);
  }

  /** One row with its message; undefined when it does not exist in the scope (another tenant's is not there). */
  async get(scope: DeadLetterScope, id: string): Promise<DeadLetterMessage | undefined> {
    return (await this.messages(scope, [id]))[0];
  }

  /** These rows with their messages, in the order asked; ids not in the scope are left out. */
  async messages(scope: DeadLetterScope, ids: readonly string[]): Promise<DeadLetterMessage[]> {
    if (ids.length === 0) return [];
    const { where, values } = this.conditions(scope, { ids });
    const rows = await this.read<Row>(scope, `SELECT ${listed}, position::text AS position, message_key, headers, value FROM ${this.table} WHERE ${where.join(' AND ')}`, values);
    const byId = new Map(rows.map((row) => [row.id, toMessage(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  private conditions(scope: DeadLetterScope, filter: DeadLetterFilter): { where: string[]; values: unknown[] } {
    const where: string[] = ['true'];
    const values: unknown[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    if (scope.kind === 'tenant') where.push(`tenant_id = ${param(scope.tenantId)}`);
    else if (filter.tenant !== undefined) where.push(`tenant_id = ${param(filter.tenant)}`);
    if (filter.ids !== undefined) where.push(`id = ANY (${param(filter.ids)}::text[])`);
    if (filter.source !== undefined) where.push(`source = ${param(filter.source)}`);
    if (filter.consumer !== undefined) where.push(`consumer = ${param(filter.consumer)}`);
    if (filter.code !== undefined) where.push(`error_code = ${param(filter.code)}`);
    if (filter.tool !== undefined) where.push(`tool = ${param(filter.tool)}`);
    if (filter.since !== undefined) where.push(`last_seen >= ${param(filter.since)}`);
    if (filter.until !== undefined) where.push(`last_seen < ${param(filter.until)}`);
    if (filter.status !== undefined) where.push(`status = ${param(filter.status)}`);
    return { where, values };
  }

  private async read<R extends pg.QueryResultRow>(scope: DeadLetterScope, text: string, values: unknown[]): Promise<R[]> {
    if (scope.kind === 'platform') return (await this.database.pool.query<R>(text, values)).rows;
    return withTenant(this.database.tenantPool, scope.tenantId, async (client) => (await client.query<R>(text, values)).rows);
  }
}

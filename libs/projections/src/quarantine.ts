import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { isolateByTenant } from '@agent-orchestrator/postgres';
import type { EntityManager } from 'typeorm';

/** An event a projection passed over because applying it kept failing; kept until retried successfully. */
export interface QuarantinedEvent {
  readonly projection: string;
  readonly eventId: string;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly globalPosition: string;
  readonly type: string;
  readonly tenantId: string;
  /** The last failure's message (its SQLSTATE first when PostgreSQL refused it). */
  readonly reason: string;
  readonly attempts: number;
  readonly firstFailedAt: Date;
  readonly lastFailedAt: Date;
}

/** When an event that keeps failing is quarantined: after both this many attempts and this long. */
export interface QuarantinePolicy {
  /** Default 3. */
  readonly attempts: number;
  /** Default 3000: another tenant's rows behind a poison event wait at most about this long. */
  readonly windowMs: number;
}

export const defaultQuarantinePolicy: QuarantinePolicy = { attempts: 3, windowMs: 3_000 };

/** What retrying one quarantined event came to. */
export interface RetryResult {
  readonly eventId: string;
  readonly applied: boolean;
  readonly reason?: string;
}

/** How often and since when one event has failed; kept in memory until it succeeds or is quarantined. */
export interface EventFailure {
  readonly attempts: number;
  readonly firstFailedAt: Date;
  readonly lastFailedAt: Date;
  readonly reason: string;
}

interface QuarantineRow {
  projection: string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  global_position: string;
  event_type: string;
  tenant_id: string;
  reason: string;
  attempts: number;
  first_failed_at: Date;
  last_failed_at: Date;
}

const toRecord = (row: QuarantineRow): QuarantinedEvent => ({
  projection: row.projection,
  eventId: row.event_id,
  streamId: row.stream_id,
  streamVersion: row.stream_version,
  globalPosition: row.global_position,
  type: row.event_type,
  tenantId: row.tenant_id,
  reason: row.reason,
  attempts: row.attempts,
  firstFailedAt: row.first_failed_at,
  lastFailedAt: row.last_failed_at,
});

/** What a failure says, short enough for a table and a log line; the SQLSTATE leads when there is one. */
export function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return (typeof code === 'string' ? `${code}: ${message}` : message).slice(0, 1000);
}

/** The quarantine table beside the checkpoints: one per schema, rows per projection. */
export class QuarantineTable {
  constructor(private readonly table: string) {}

  async setUp(tx: EntityManager): Promise<void> {
    await tx.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      projection text NOT NULL, event_id uuid NOT NULL, stream_id text NOT NULL, stream_version int NOT NULL,
      global_position text NOT NULL, event_type text NOT NULL, tenant_id text NOT NULL, reason text NOT NULL,
      attempts int NOT NULL, first_failed_at timestamptz NOT NULL, last_failed_at timestamptz NOT NULL,
      PRIMARY KEY (projection, event_id))`);
    // Platform state, read by the projecting process alone (the owner): closed to every other role.
    await isolateByTenant(tx, this.table);
  }

  async record(tx: EntityManager, projection: string, event: EventEnvelope, failure: EventFailure): Promise<QuarantinedEvent> {
    const [row] = (await tx.query(
      `INSERT INTO ${this.table} (projection, event_id, stream_id, stream_version, global_position, event_type, tenant_id, reason, attempts, first_failed_at, last_failed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (projection, event_id) DO UPDATE SET reason = excluded.reason, attempts = ${this.table}.attempts + excluded.attempts, last_failed_at = excluded.last_failed_at
       RETURNING *`,
      [projection, event.eventId, event.streamId, event.streamVersion, event.globalPosition, event.type, event.tenantId, failure.reason, failure.attempts, failure.firstFailedAt, failure.lastFailedAt],
    )) as QuarantineRow[];
    return toRecord(row!);
  }

  async list(tx: EntityManager, projection: string, eventId?: string): Promise<QuarantinedEvent[]> {
    const rows = (await tx.query(
      `SELECT * FROM ${this.table} WHERE projection = $1 AND ($2::uuid IS NULL OR event_id = $2::uuid) ORDER BY global_position`,
      [projection, eventId ?? null],
    )) as QuarantineRow[];
    return rows.map(toRecord);
  }

  async count(tx: EntityManager, projection: string): Promise<number> {
    const [row] = (await tx.query(`SELECT count(*)::int AS count FROM ${this.table} WHERE projection = $1`, [projection])) as { count: number }[];
    return row?.count ?? 0;
  }

  async remove(tx: EntityManager, projection: string, eventId: string): Promise<void> {
    await tx.query(`DELETE FROM ${this.table} WHERE projection = $1 AND event_id = $2`, [projection, eventId]);
  }

  async failedAgain(tx: EntityManager, projection: string, eventId: string, reason: string): Promise<void> {
    await tx.query(`UPDATE ${this.table} SET attempts = attempts + 1, reason = $3, last_failed_at = now() WHERE projection = $1 AND event_id = $2`, [projection, eventId, reason]);
  }

  async clear(tx: EntityManager, projection: string): Promise<void> {
    await tx.query(`DELETE FROM ${this.table} WHERE projection = $1`, [projection]);
  }
}

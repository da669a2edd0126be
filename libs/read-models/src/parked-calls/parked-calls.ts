import { parseStreamName, streamCategories, type EventEnvelope, type ParkedCallEvent, type ToolCallEvent } from '@agent-orchestrator/contracts';
import { isolateByTenant } from '@agent-orchestrator/postgres';
import type { Projection } from '@agent-orchestrator/projections';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { inTenantScope, readOnlyFor } from '../tenant-scope.js';

/** `parked` and `retrying` hold the session (blocked); a resolved call was answered after it was parked. */
export type ParkedCallStatus = 'parked' | 'retrying' | 'resolved';

/** One tool call that was parked, as a blocked session shows it. `since`: when it was (last) parked. */
export interface ParkedCallRecord {
  readonly tenantId: string;
  readonly sessionId: string;
  readonly runId: string;
  readonly callId: string;
  readonly tool: string;
  readonly operation: string;
  readonly method: string;
  readonly code: string;
  readonly reason: string;
  readonly attempts: number;
  readonly parkings: number;
  readonly status: ParkedCallStatus;
  /** How a resolved call was answered. */
  readonly resolution: 'completed' | 'failed' | 'discarded' | null;
  readonly since: Date;
  readonly resolvedAt: Date | null;
}

interface ParkedCallRow {
  tenant_id: string;
  session_id: string;
  run_id: string;
  call_id: string;
  tool: string;
  operation: string;
  method: string;
  code: string;
  reason: string;
  attempts: number;
  parkings: number;
  status: ParkedCallStatus;
  resolution: ParkedCallRecord['resolution'];
  parked_at: Date;
  resolved_at: Date | null;
}

export function parkedCallsTableName(schema: string): string {
  return `${pg.escapeIdentifier(schema)}.parked_tool_calls`;
}

/**
 * The parked calls read model: one row per tool call that was ever parked (from its
 * `toolcall-<runId>.<callId>` stream), for the sessions' `blocked` overlay and their list of
 * parked calls, and for the timeout sweep, which does not time out a step while its call is
 * parked. Calls never parked have no row: their answers update nothing. Each row remembers the
 * stream version it reflects, so a replayed event changes nothing.
 */
export class ParkedCallsProjection implements Projection {
  readonly name = 'parked-calls';
  readonly version = 1;
  private readonly table: string;

  /** @param appRole the role the gateway reads the table as, one tenant at a time; without it only the owner may read it. */
  constructor(
    private readonly schema: string,
    private readonly appRole?: string,
  ) {
    this.table = parkedCallsTableName(schema);
  }

  async setUp(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`read-model:${this.schema}.parked_tool_calls`]);
    await manager.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      run_id text NOT NULL,
      call_id text NOT NULL,
      tenant_id text NOT NULL,
      session_id text NOT NULL,
      tool text NOT NULL,
      operation text NOT NULL,
      method text NOT NULL,
      code text NOT NULL,
      reason text NOT NULL,
      attempts int NOT NULL,
      parkings int NOT NULL,
      status text NOT NULL,
      resolution text,
      parked_at timestamptz NOT NULL,
      resolved_at timestamptz,
      last_stream_version int NOT NULL,
      PRIMARY KEY (run_id, call_id))`);
    await manager.query(`CREATE INDEX IF NOT EXISTS parked_tool_calls_session ON ${this.table} (session_id)`);
    await isolateByTenant(manager, this.table, readOnlyFor(this.appRole));
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE ${this.table}`);
  }

  async apply(envelope: EventEnvelope, manager: EntityManager): Promise<void> {
    if (parseStreamName(envelope.streamId).category !== streamCategories.toolCall) return;
    const event = envelope as EventEnvelope & (ParkedCallEvent | ToolCallEvent);
    const { runId, callId } = event.data;
    const version = envelope.streamVersion;
    const update = (assignments: string, values: unknown[]) =>
      manager.query(`UPDATE ${this.table} SET ${assignments}, last_stream_version = $3 WHERE run_id = $1 AND call_id = $2 AND last_stream_version < $3`, [runId, callId, version, ...values]);
    switch (event.type) {
      case 'ToolCallParked': {
        const d = event.data;
        await manager.query(
          `INSERT INTO ${this.table} (run_id, call_id, tenant_id, session_id, tool, operation, method, code, reason, attempts, parkings, status, parked_at, last_stream_version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'parked', $12, $13)
           ON CONFLICT (run_id, call_id) DO UPDATE SET code = excluded.code, reason = excluded.reason, attempts = ${this.table}.attempts + excluded.attempts, parkings = excluded.parkings,
             status = 'parked', resolution = NULL, resolved_at = NULL, parked_at = excluded.parked_at, last_stream_version = excluded.last_stream_version
           WHERE ${this.table}.last_stream_version < excluded.last_stream_version`,
          [runId, callId, event.tenantId, d.sessionId, d.tool, d.operation, d.method, d.code, d.reason, d.attempts, d.parkings, envelope.occurredAt, version],
        );
        return;
      }
      case 'ToolCallRetried':
        await update(`status = 'retrying'`, []);
        return;
      case 'ToolCallDiscarded':
        await update(`status = 'resolved', resolution = 'discarded', resolved_at = $4`, [envelope.occurredAt]);
        return;
      case 'ToolCallCompleted':
      case 'ToolCallFailed':
        // After a discard the failure that tells the agent is no news here.
        await update(`status = 'resolved', resolution = coalesce(resolution, $4), resolved_at = coalesce(resolved_at, $5)`, [event.type === 'ToolCallCompleted' ? 'completed' : 'failed', envelope.occurredAt]);
        return;
      default:
        return;
    }
  }
}

/**
 * Reads the parked calls. Tenant-facing queries run in the tenant's scope (row-level security);
 * `holds` reads across tenants for the orchestrator's timeout sweep, on the owner's connection.
 */
export class ParkedCallQueries {
  private readonly table: string;

  constructor(
    private readonly db: DataSource | EntityManager,
    schema: string,
  ) {
    this.table = parkedCallsTableName(schema);
  }

  /** The calls of one session that still hold it (parked or being retried), oldest first. */
  async holding(tenantId: string, sessionId: string): Promise<ParkedCallRecord[]> {
    const rows: ParkedCallRow[] = await inTenantScope(this.db, tenantId, (db) =>
      db.query(`SELECT * FROM ${this.table} WHERE tenant_id = $1 AND session_id = $2 AND status <> 'resolved' ORDER BY parked_at, call_id`, [tenantId, sessionId]),
    );
    return rows.map(toRecord);
  }

  /** Which of these sessions of the tenant a parked call holds. */
  async sessionsBlocked(tenantId: string, sessionIds: readonly string[]): Promise<Set<string>> {
    if (sessionIds.length === 0) return new Set();
    const rows: { session_id: string }[] = await inTenantScope(this.db, tenantId, (db) =>
      db.query(`SELECT DISTINCT session_id FROM ${this.table} WHERE tenant_id = $1 AND session_id = ANY($2::text[]) AND status <> 'resolved'`, [tenantId, sessionIds]),
    );
    return new Set(rows.map((row) => row.session_id));
  }

  /**
   * The runs of one session a parked call holds or held: still held (`resolvedAt` null), or when
   * the last of its parked calls was answered. A step's timeout does not run while its call is
   * parked, and restarts when the call is answered.
   */
  async holds(sessionId: string): Promise<{ runId: string; resolvedAt: string | null }[]> {
    const rows: { run_id: string; resolved_at: Date | null; holding: boolean }[] = await this.db.query(
      `SELECT run_id, max(resolved_at) AS resolved_at, bool_or(status <> 'resolved') AS holding FROM ${this.table} WHERE session_id = $1 GROUP BY run_id`,
      [sessionId],
    );
    return rows.map((row) => ({ runId: row.run_id, resolvedAt: row.holding || row.resolved_at === null ? null : row.resolved_at.toISOString() }));
  }
}

function toRecord(row: ParkedCallRow): ParkedCallRecord {
  return {
    tenantId: row.tenant_id,
    sessionId: row.session_id,
    runId: row.run_id,
    callId: row.call_id,
    tool: row.tool,
    operation: row.operation,
    method: row.method,
    code: row.code,
    reason: row.reason,
    attempts: row.attempts,
    parkings: row.parkings,
    status: row.status,
    resolution: row.resolution,
    since: row.parked_at,
    resolvedAt: row.resolved_at,
  };
}

import { parseStreamName, streamCategories, type EventEnvelope, type SessionPauseReason } from '@agent-orchestrator/contracts';
import { isolateByTenant } from '@agent-orchestrator/postgres';
import type { Projection, ProjectionTables } from '@agent-orchestrator/projections';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/** What a tenant event means for the tenant's sessions: paused for a reason, or free to run (null). */
const pauseReasonAfter: Readonly<Record<string, SessionPauseReason | null>> = {
  TenantSuspended: 'tenant_suspended',
  TenantDeleted: 'tenant_deleted',
  TenantResumed: null,
};

/** The tenant event that changed whether its sessions may run, or undefined for any other event. */
export function tenantStatusChange(event: EventEnvelope): { readonly pauseReason: SessionPauseReason | null; readonly statusVersion: number } | undefined {
  if (parseStreamName(event.streamId).category !== streamCategories.admin || !(event.type in pauseReasonAfter)) return undefined;
  return { pauseReason: pauseReasonAfter[event.type] ?? null, statusVersion: event.streamVersion };
}

/**
 * Each tenant's latest suspension, deletion or resumption, from its `admin-<tenant>` stream: what
 * the orchestrator's sweep compares its sessions with. Only tenants whose status ever changed
 * have a row; a later stream version replaces an earlier one, never the other way round.
 */
export class TenantStatusesProjection implements Projection {
  readonly name = 'tenant-statuses';
  readonly version = 1;
  readonly readModelTables: ProjectionTables;
  private readonly table: string;

  constructor(private readonly schema: string) {
    this.table = `${pg.escapeIdentifier(schema)}.tenant_statuses`;
    this.readModelTables = { schema, names: ['tenant_statuses'] };
  }

  inSchema(schema: string): TenantStatusesProjection {
    return new TenantStatusesProjection(schema);
  }

  async setUp(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`read-model:${this.schema}.tenant_statuses`]);
    await manager.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      tenant_id text PRIMARY KEY,
      pause_reason text,
      status_version int NOT NULL,
      changed_at timestamptz NOT NULL)`);
    // Read by the orchestrator's sweep alone, as the owner: closed to the application role.
    await isolateByTenant(manager, this.table);
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE ${this.table}`);
  }

  async apply(event: EventEnvelope, manager: EntityManager): Promise<void> {
    const change = tenantStatusChange(event);
    if (!change) return;
    await manager.query(
      `INSERT INTO ${this.table} (tenant_id, pause_reason, status_version, changed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id) DO UPDATE SET pause_reason = excluded.pause_reason, status_version = excluded.status_version, changed_at = excluded.changed_at
       WHERE ${this.table}.status_version < excluded.status_version`,
      [event.tenantId, change.pauseReason, change.statusVersion, event.occurredAt],
    );
  }
}

/** A live session whose status (paused or not) disagrees with its tenant's. */
export interface SessionOutOfStep {
  readonly sessionId: string;
  readonly tenantId: string;
  /** Why it should be paused, or null when it should run. */
  readonly pauseReason: SessionPauseReason | null;
  readonly statusVersion: number;
}

export class TenantStatusQueries {
  private readonly statuses: string;
  private readonly sessions: string;

  constructor(
    private readonly db: DataSource | EntityManager,
    schema: string,
  ) {
    this.statuses = `${pg.escapeIdentifier(schema)}.tenant_statuses`;
    this.sessions = `${pg.escapeIdentifier(schema)}.sessions`;
  }

  /**
   * Sessions not ended whose tenant is suspended or deleted while they are not paused, or
   * resumed while they are paused: what the sweep sends a PauseSession or
   * ResumeSession. Usually none. Both read models lag the log a little, so a session listed here
   * may already have taken the command: the decider then decides nothing.
   */
  async sessionsOutOfStep(limit: number): Promise<SessionOutOfStep[]> {
    const rows = (await this.db.query(
      `SELECT s.session_id, s.tenant_id, t.pause_reason, t.status_version
       FROM ${this.sessions} s JOIN ${this.statuses} t ON t.tenant_id = s.tenant_id
       WHERE s.ended_at IS NULL AND (t.pause_reason IS NULL) = (s.status = 'paused')
       ORDER BY s.updated_at LIMIT $1`,
      [limit],
    )) as { session_id: string; tenant_id: string; pause_reason: SessionPauseReason | null; status_version: number }[];
    return rows.map((row) => ({ sessionId: row.session_id, tenantId: row.tenant_id, pauseReason: row.pause_reason, statusVersion: row.status_version }));
  }
}

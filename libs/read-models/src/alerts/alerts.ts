import { parseStreamName, streamCategories, type AlertEvent, type AlertRule, type EventEnvelope } from '@agent-orchestrator/contracts';
import { isolateByTenant } from '@agent-orchestrator/postgres';
import type { Projection, ProjectionTables } from '@agent-orchestrator/projections';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { readOnlyFor } from '../tenant-scope.js';

export type AlertStatus = 'open' | 'resolved';

/** One alert as the console and `GET /v1/alerts` show it. */
export interface AlertRecord {
  readonly alertId: string;
  /** The tenant whose alert it is; `platform` for the platform's own (a stalled projection). */
  readonly tenantId: string;
  readonly key: string;
  readonly streamId: string;
  readonly rule: AlertRule;
  readonly severity: 'warning' | 'critical';
  readonly summary: string;
  readonly subject: Readonly<Record<string, string | number>>;
  readonly status: AlertStatus;
  readonly raisedAt: Date;
  readonly resolvedAt: Date | null;
}

interface AlertRow {
  alert_id: string;
  tenant_id: string;
  alert_key: string;
  stream_id: string;
  rule: AlertRule;
  severity: 'warning' | 'critical';
  summary: string;
  subject: Record<string, string | number>;
  status: AlertStatus;
  raised_at: Date;
  resolved_at: Date | null;
}

export const alertsTableName = (schema: string): string => `${pg.escapeIdentifier(schema)}.alerts`;

const record = (row: AlertRow): AlertRecord => ({
  alertId: row.alert_id,
  tenantId: row.tenant_id,
  key: row.alert_key,
  streamId: row.stream_id,
  rule: row.rule,
  severity: row.severity,
  summary: row.summary,
  subject: row.subject,
  status: row.status,
  raisedAt: row.raised_at,
  resolvedAt: row.resolved_at,
});

/** The alerts read model: one row per raised alert (per `AlertRaised`), resolved in place by its `AlertResolved`. */
export class AlertsProjection implements Projection {
  readonly name = 'alerts';
  readonly version = 1;
  readonly readModelTables: ProjectionTables;
  private readonly table: string;

  constructor(
    private readonly schema: string,
    private readonly appRole?: string,
  ) {
    this.table = alertsTableName(schema);
    this.readModelTables = { schema, names: ['alerts'] };
  }

  inSchema(schema: string): AlertsProjection {
    return new AlertsProjection(schema, this.appRole);
  }

  async setUp(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`read-model:${this.schema}.alerts`]);
    await manager.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      alert_id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      alert_key text NOT NULL,
      stream_id text NOT NULL,
      rule text NOT NULL,
      severity text NOT NULL,
      summary text NOT NULL,
      subject jsonb NOT NULL,
      status text NOT NULL,
      raised_at timestamptz NOT NULL,
      resolved_at timestamptz)`);
    await manager.query(`CREATE INDEX IF NOT EXISTS alerts_tenant_raised ON ${this.table} (tenant_id, raised_at DESC)`);
    await manager.query(`CREATE INDEX IF NOT EXISTS alerts_open ON ${this.table} (stream_id) WHERE status = 'open'`);
    await isolateByTenant(manager, this.table, readOnlyFor(this.appRole));
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE ${this.table}`);
  }

  async apply(envelope: EventEnvelope, manager: EntityManager): Promise<void> {
    if (parseStreamName(envelope.streamId).category !== streamCategories.alert) return;
    const event = envelope as EventEnvelope & AlertEvent;
    switch (event.type) {
      case 'AlertRaised': {
        const d = event.data;
        await manager.query(
          `INSERT INTO ${this.table} (alert_id, tenant_id, alert_key, stream_id, rule, severity, summary, subject, status, raised_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, 'open', $9) ON CONFLICT (alert_id) DO NOTHING`,
          [d.alertId, envelope.tenantId, d.key, envelope.streamId, d.rule, d.severity, d.summary, JSON.stringify(d.subject), d.raisedAt],
        );
        return;
      }
      case 'AlertResolved':
        await manager.query(`UPDATE ${this.table} SET status = 'resolved', resolved_at = $2 WHERE alert_id = $1`, [event.data.alertId, event.data.resolvedAt]);
        return;
      default:
        return;
    }
  }
}

/** A TypeORM DataSource or manager, or a pg pool (rows under `rows`). */
interface AlertReader {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

const rowsOf = (result: unknown): AlertRow[] => (Array.isArray(result) ? (result as AlertRow[]) : (result as { rows: AlertRow[] }).rows);

/** Reads of the alerts read model: a tenant's list (under its tenant scope), and every open alert for the evaluator (as the owner). */
export class AlertQueries {
  private readonly table: string;

  constructor(schema: string) {
    this.table = alertsTableName(schema);
  }

  /** Newest first; `status` narrows to open or resolved ones. The reader must already be in the tenant's scope. */
  async list(db: AlertReader, tenantId: string, query: { readonly status?: AlertStatus; readonly limit: number }): Promise<AlertRecord[]> {
    const rows = rowsOf(
      await db.query(`SELECT * FROM ${this.table} WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY raised_at DESC, alert_id LIMIT $3`, [tenantId, query.status ?? null, query.limit]),
    );
    return rows.map(record);
  }

  /** Every open alert of every tenant: the keys an evaluation checks for clearing. */
  async open(db: AlertReader): Promise<AlertRecord[]> {
    return rowsOf(await db.query(`SELECT * FROM ${this.table} WHERE status = 'open' ORDER BY raised_at`)).map(record);
  }
}

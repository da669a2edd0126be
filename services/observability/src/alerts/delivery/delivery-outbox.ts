import { parseStreamName, streamCategories, type AlertEvent, type EventEnvelope } from '@agent-orchestrator/contracts';
import { isolateByTenant } from '@agent-orchestrator/postgres';
import type { Projection } from '@agent-orchestrator/projections';
import pg from 'pg';
import type { EntityManager } from 'typeorm';

/** What a webhook (a tenant's, or the platform's with `tenantId` `platform`) receives: the alert event, with its id for the receiver's own deduplication (delivery is at least once). */
export interface AlertDeliveryBody {
  readonly id: string;
  readonly type: 'alert.raised' | 'alert.resolved';
  readonly occurredAt: string;
  readonly tenantId: string;
  readonly alert: AlertEvent['data'];
}

export const deliveriesTable = (schema: string): string => `${pg.escapeIdentifier(schema)}.alert_deliveries`;
export const attemptsTable = (schema: string): string => `${pg.escapeIdentifier(schema)}.alert_delivery_attempts`;

/**
 * The delivery outbox: one row per alert event, a tenant's for its webhook and the platform's
 * (tenant `platform`) for the webhook the platform admin sets, written in the transaction that moves its checkpoint, so none is missed and none is queued
 * twice. Not a read model: it is never emptied (a rebuild's replay finds every row there and
 * queues nothing again), and its rows say what was delivered, so a success is not repeated.
 */
export class AlertDeliveryOutbox implements Projection {
  readonly name = 'alert-deliveries';
  readonly version = 1;

  constructor(private readonly schema: string) {}

  async setUp(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`read-model:${this.schema}.alert_deliveries`]);
    await manager.query(`CREATE TABLE IF NOT EXISTS ${deliveriesTable(this.schema)} (
      event_id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      alert_id uuid NOT NULL,
      body jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      rounds int NOT NULL DEFAULT 0,
      attempts int NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      last_error text)`);
    await manager.query(`CREATE INDEX IF NOT EXISTS alert_deliveries_due ON ${deliveriesTable(this.schema)} (next_attempt_at) WHERE status = 'pending'`);
    await manager.query(`CREATE TABLE IF NOT EXISTS ${attemptsTable(this.schema)} (
      event_id uuid NOT NULL,
      attempt int NOT NULL,
      tenant_id text NOT NULL,
      url text NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      outcome text NOT NULL,
      status_code int,
      error text,
      PRIMARY KEY (event_id, attempt))`);
    // Only the owner (this service) reads and writes them; the policy keeps any other role to one tenant.
    await isolateByTenant(manager, deliveriesTable(this.schema));
    await isolateByTenant(manager, attemptsTable(this.schema));
  }

  async reset(): Promise<void> {
    // Never emptied: see the class comment.
  }

  async apply(envelope: EventEnvelope, manager: EntityManager): Promise<void> {
    if (parseStreamName(envelope.streamId).category !== streamCategories.alert) return;
    const event = envelope as EventEnvelope & AlertEvent;
    const body: AlertDeliveryBody = { id: envelope.eventId, type: event.type === 'AlertRaised' ? 'alert.raised' : 'alert.resolved', occurredAt: envelope.occurredAt, tenantId: envelope.tenantId, alert: event.data };
    await manager.query(`INSERT INTO ${deliveriesTable(this.schema)} (event_id, tenant_id, alert_id, body) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (event_id) DO NOTHING`, [
      envelope.eventId,
      envelope.tenantId,
      event.data.alertId,
      JSON.stringify(body),
    ]);
  }
}

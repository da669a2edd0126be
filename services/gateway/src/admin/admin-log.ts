import { randomUUID } from 'node:crypto';
import { adminStream, eventCatalog, type Actor, type AdminEvent } from '@agent-orchestrator/contracts';
import { isEventStoreError, type AppendResult, type PostgresEventStore } from '@agent-orchestrator/event-store';
import type pg from 'pg';

/** One administrative action as the gateway states it: the type and data of an admin event. */
export type AdminAction = { [Type in AdminEvent['type']]: { readonly type: Type; readonly data: Extract<AdminEvent, { type: Type }>['data'] } }[AdminEvent['type']];

/** Who acted, as the admin events' envelope names them. */
export const adminActor = {
  apiKey: (keyId: string): Actor => ({ kind: 'user', id: `key:${keyId}` }),
  token: (issuer: string, subject: string): Actor => ({ kind: 'user', id: `token:${issuer}#${subject}` }),
  platformAdmin: (keyId: string): Actor => ({ kind: 'user', id: `platform-admin:${keyId}` }),
};

export interface AdminRecordOptions {
  /** Ties the events to the request that caused them; a fresh id when absent. */
  readonly correlationId?: string;
  readonly traceparent?: string | null;
}

/** How often a transaction is run again when its append raced a newer transaction for the stream. */
const raceRetries = 5;

/**
 * The tenant's admin stream (`admin-<tenant>`), written in the same transaction as the table
 * change it records, so a row and its event commit together or not at all (no dual write: the
 * relay publishes the events to `events.admin` like every stream). Needs the session log to be
 * the PostgreSQL store in the gateway's database; with the KurrentDB log this would need an
 * outbox table instead.
 */
export class AdminLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly store: Pick<PostgresEventStore, 'appendIn'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Runs `work` in one transaction on a connection of the gateway's pool, committing if it
   * resolves and rolling back if it throws. Run again from the start when an append inside lost
   * the race for its stream to a newer transaction (see appendIn), so `work` must do nothing
   * outside the transaction it is given.
   */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (attempt < raceRetries && lostTheStreamRace(error)) continue;
        throw error;
      } finally {
        client.release();
      }
    }
  }

  /** Appends the actions to the tenant's admin stream on `client`, inside the caller's transaction. */
  record(client: pg.ClientBase, tenantId: string, actor: Actor, actions: readonly AdminAction[], options: AdminRecordOptions = {}): Promise<AppendResult> {
    const correlationId = options.correlationId ?? randomUUID();
    const occurredAt = this.now().toISOString();
    const events = actions.map((action) => ({
      eventId: randomUUID(),
      type: action.type,
      schemaVersion: eventCatalog.latestVersion(action.type),
      tenantId,
      correlationId,
      causationId: null,
      actor,
      occurredAt,
      traceparent: options.traceparent ?? null,
      data: action.data,
    }));
    return this.store.appendIn(client, adminStream(tenantId), events);
  }
}

function lostTheStreamRace(error: unknown): boolean {
  return isEventStoreError(error, 'Unavailable') && (error.details.cause as { code?: string } | undefined)?.code === 'ES40R';
}

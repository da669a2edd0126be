import { randomUUID } from 'node:crypto';
import { adminStream, eventCatalog, type Actor, type AdminEvent, type EventEnvelope } from '@agent-orchestrator/contracts';
import { inTransaction } from '@agent-orchestrator/postgres';
import { isEventStoreError, type AppendResult, type PostgresEventStore } from '@agent-orchestrator/event-store';
import type pg from 'pg';
import type { Principal } from '../auth/access.guard.js';
import { tokenSubject } from '../auth/credentials.js';

/** One administrative action as the gateway states it: the type and data of an admin event. */
export type AdminAction = { [Type in AdminEvent['type']]: { readonly type: Type; readonly data: Extract<AdminEvent, { type: Type }>['data'] } }[AdminEvent['type']];

/** Who acted, as the admin events' envelope names them. */
export const adminActor = {
  apiKey: (keyId: string): Actor => ({ kind: 'user', id: `key:${keyId}` }),
  token: (issuer: string, subject: string): Actor => ({ kind: 'user', id: `token:${issuer}#${subject}` }),
  platformAdmin: (keyId: string): Actor => ({ kind: 'user', id: `platform-admin:${keyId}` }),
};

/** The actor of an action a tenant's caller takes. One place to say it, whatever authenticated the caller. */
export function actorOf(caller: Pick<Principal, 'subject'>): Actor {
  // A token's caller is already named `token:<issuer>#<sub>`; an API key's subject is its id.
  return caller.subject.startsWith(tokenSubject) ? { kind: 'user', id: caller.subject } : adminActor.apiKey(caller.subject);
}

export interface AdminRecordOptions {
  /** Ties the events to the request that caused them; a fresh id when absent. */
  readonly correlationId?: string;
  readonly traceparent?: string | null;
}

/** What the admin log needs of the session log: appends inside a transaction, and reads. */
export type AdminLogStore = Pick<PostgresEventStore, 'appendIn' | 'readStream'>;

/** One page of a tenant's admin stream, oldest first. */
export interface AdminEventsPage {
  readonly items: EventEnvelope[];
  /** Where the next page starts; null when this one reached the end. */
  readonly nextFromVersion: number | null;
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
    private readonly store: AdminLogStore,
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
      try {
        return await inTransaction(this.pool, work);
      } catch (error) {
        if (attempt < raceRetries && lostTheStreamRace(error)) continue;
        throw error;
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

  /** One page of the tenant's admin stream, oldest first, from `fromVersion`. */
  async page(tenantId: string, fromVersion: number, limit: number): Promise<AdminEventsPage> {
    const read = await this.store.readStream(adminStream(tenantId), { fromVersion, maxCount: limit + 1 });
    return { items: read.slice(0, limit), nextFromVersion: read.length > limit ? fromVersion + limit : null };
  }
}

function lostTheStreamRace(error: unknown): boolean {
  return isEventStoreError(error, 'Unavailable') && (error.details.cause as { code?: string } | undefined)?.code === 'ES40R';
}

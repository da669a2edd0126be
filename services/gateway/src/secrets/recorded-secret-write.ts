import type { SecretStore } from '@agent-orchestrator/secrets';
import type { Actor } from '@agent-orchestrator/contracts';
import type pg from 'pg';
import { actorOf, type AdminAction, type AdminLog } from '../admin/admin-log.js';
import type { Principal } from '../auth/access.guard.js';

/**
 * A write to the secret store and its admin events (names and versions, never values). With the
 * PostgreSQL store they commit in one transaction. Vault cannot join it: the event is recorded
 * once Vault has taken the write, so a failure between the two leaves a change without its event
 * (never an event without its change).
 */
export async function recordedSecretWrite<T>(adminLog: AdminLog, caller: Principal, store: SecretStore, write: (transaction?: pg.ClientBase) => Promise<T>, actions: (result: T) => AdminAction[]): Promise<T> {
  return recordedSecretWriteOf(adminLog, { tenantId: caller.tenantId, actor: actorOf(caller) }, store, write, actions);
}

/** Who writes, and whose admin stream records it: a tenant's caller, or the platform admin in the platform's stream. */
export interface SecretWriter {
  readonly tenantId: string;
  readonly actor: Actor;
}

/** recordedSecretWrite for any writer, the platform admin included. */
export async function recordedSecretWriteOf<T>(adminLog: AdminLog, writer: SecretWriter, store: SecretStore, write: (transaction?: pg.ClientBase) => Promise<T>, actions: (result: T) => AdminAction[]): Promise<T> {
  const record = async (client: pg.ClientBase, result: T) => {
    const events = actions(result);
    if (events.length > 0) await adminLog.record(client, writer.tenantId, writer.actor, events);
    return result;
  };
  if (store.joinsTransactions) return adminLog.transaction(async (client) => record(client, await write(client)));
  const result = await write();
  return adminLog.transaction((client) => record(client, result));
}

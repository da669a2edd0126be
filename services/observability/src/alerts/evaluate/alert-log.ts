import { createHash } from 'node:crypto';
import { alertStream, type AlertEvent, type AlertScope } from '@agent-orchestrator/contracts';
import { isEventStoreError, type EventStore } from '@agent-orchestrator/event-store';
import { v5 as uuidV5 } from 'uuid';
import { alertTenantOf } from '../domain/alert-rules.js';
import { decideAlert, evolveAlert, initialAlertState, type AlertObservation, type AlertState } from '../domain/decide-alert.js';

/** Namespace of the ids drawn from an alert stream's position, so a retried append is the same append. */
const alertIdNamespace = '0f6c7a52-3a1e-4d8b-9c55-6b0e1d2f3a4c';

/** The `alert-<id>` stream of one key in one scope: readable (tenant, rule) and a digest of the whole key. */
export function alertStreamOf(scope: AlertScope, key: string): string {
  const rule = key.slice(0, key.indexOf(':') === -1 ? key.length : key.indexOf(':'));
  const digest = createHash('sha256').update(`${alertTenantOf(scope)}\n${key}`).digest('hex').slice(0, 20);
  return alertStream(`${alertTenantOf(scope)}.${rule}.${digest}`);
}

export type AlertOutcome = 'raised' | 'resolved' | 'unchanged' | 'raced';

/**
 * Decides one key against its stream and appends what it decides, expecting the version it read:
 * a process that decided the same a moment earlier makes this one's append fail (`raced`), never
 * doubles it. The stream's last event is its whole state (raises and resolutions alternate).
 */
export async function recordObservation(store: EventStore, observation: AlertObservation, now: string): Promise<AlertOutcome> {
  const scope = observation.holds ? observation.condition.scope : observation.scope;
  const key = observation.holds ? observation.condition.key : observation.key;
  const streamId = alertStreamOf(scope, key);
  const [last] = await store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
  const state: AlertState = last === undefined ? initialAlertState : evolveAlert(initialAlertState, last as unknown as AlertEvent);
  const nextVersion = last === undefined ? 0 : last.streamVersion + 1;
  const decided = decideAlert(state, observation, { now, alertId: uuidV5(`${streamId}@${nextVersion}:alert`, alertIdNamespace) });
  if (decided === undefined) return 'unchanged';
  try {
    await store.append(
      streamId,
      [
        {
          eventId: uuidV5(`${streamId}@${nextVersion}`, alertIdNamespace),
          type: decided.type,
          schemaVersion: 1,
          tenantId: alertTenantOf(scope),
          correlationId: streamId,
          causationId: last?.eventId ?? null,
          actor: { kind: 'service', id: 'observability' },
          occurredAt: now,
          traceparent: null,
          data: decided.data,
        },
      ],
      { expectedVersion: last === undefined ? 'no_stream' : last.streamVersion },
    );
  } catch (error) {
    if (isEventStoreError(error, 'WrongExpectedVersion')) return 'raced';
    throw error;
  }
  return decided.type === 'AlertRaised' ? 'raised' : 'resolved';
}

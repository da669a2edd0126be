import { evolvePolicy, initialPolicy, policyStream, privacyStream, type CurrentPolicy, type NewEvent, type PolicyCommandMessage, type UpdatePolicy } from '@agent-orchestrator/contracts';
import { eventIdsFor, handleCommand, isEventStoreError, type Decider, type EventStore } from '@agent-orchestrator/event-store';
import { MessagingError, type ConsumedMessage } from '@agent-orchestrator/messaging';
import { privacyDecider } from './domain/privacy.js';

/** A tenant's policy: one `policy-<tenant>` stream; each UpdatePolicy makes the next version. */
export const policyDecider: Decider<UpdatePolicy, CurrentPolicy> = {
  initialState: () => initialPolicy,
  evolve: evolvePolicy,
  decide(command, current): NewEvent[] {
    const { eventIds, now, tenantId, correlationId, causationId, actor, traceparent } = command.metadata;
    const eventId = eventIds[0];
    if (eventId === undefined) throw new Error('UpdatePolicy carries no event id');
    return [{ eventId, type: 'PolicyUpdated', schemaVersion: 1, tenantId, correlationId, causationId, actor, occurredAt: now, traceparent, data: { version: current.version + 1, policy: command.policy } }];
  },
};

/** The tenant's latest policy version, folded from its stream. */
export async function currentPolicy(store: EventStore, tenantId: string): Promise<CurrentPolicy> {
  let current = initialPolicy;
  for await (const event of store.streamEvents(policyStream(tenantId))) current = policyDecider.evolve(current, event);
  return current;
}

/**
 * The tenant's policy as it stood at `version`, for a session pinned to it (a fork); the current
 * one when the stream never reached that version, and the decision then names the version used.
 */
export async function policyAt(store: EventStore, tenantId: string, version: number): Promise<CurrentPolicy> {
  let current = initialPolicy;
  for await (const event of store.streamEvents(policyStream(tenantId))) {
    current = policyDecider.evolve(current, event);
    if (current.version === version) return current;
  }
  return current;
}

/** Handles one command from `commands.policy` (a policy or privacy version); the event id derives from the command id, so a redelivery makes no second version. */
export function policyCommandHandler(store: EventStore): (message: ConsumedMessage<PolicyCommandMessage>) => Promise<void> {
  return async ({ value: { commandId, command } }) => {
    const metadata = { ...command.metadata, eventIds: eventIdsFor(commandId, 1) };
    try {
      if (command.type === 'UpdatePrivacy') await handleCommand(store, privacyStream(command.metadata.tenantId), { ...command, metadata }, privacyDecider);
      else await handleCommand(store, policyStream(command.metadata.tenantId), { ...command, metadata }, policyDecider);
    } catch (error) {
      if (isEventStoreError(error) && !error.retryable) throw new MessagingError('Rejected', `${command.type}: ${error.message}`, { cause: error });
      throw error;
    }
  };
}

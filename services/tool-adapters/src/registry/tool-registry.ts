import { ToolRegistry, egressStream, toolRegistryStream, type NewEvent, type ParkedToolCallCommand, type RegisterTool, type ToolCommandMessage } from '@agent-orchestrator/contracts';
import { eventIdsFor, handleCommand, isEventStoreError, type Decider, type EventStore } from '@agent-orchestrator/event-store';
import { MessagingError, type ConsumedMessage } from '@agent-orchestrator/messaging';
import { egressDecider } from '../domain/egress/egress-decider.js';

/** A tenant's tool registry: one `tool-<tenant>` stream; each RegisterTool is the name's next version. */
export const toolRegistryDecider: Decider<RegisterTool, ToolRegistry> = {
  initialState: () => ToolRegistry.empty,
  evolve: (registry, event) => registry.with(event),
  decide(command, registry): NewEvent[] {
    const { name, metadata } = command;
    // The definition itself, or the attachment the gateway stored it in when it is too large for an event.
    const definition = command.definition === undefined ? { stored: command.stored! } : { definition: command.definition };
    const { eventIds, now, tenantId, correlationId, causationId, actor, traceparent } = metadata;
    const eventId = eventIds[0];
    if (eventId === undefined) throw new Error('RegisterTool carries no event id');
    const version = (registry.latest(name)?.version ?? 0) + 1;
    return [{ eventId, type: 'ToolRegistered', schemaVersion: 2, tenantId, correlationId, causationId, actor, occurredAt: now, traceparent, data: { name, version, ...definition } }];
  },
};

/**
 * Handles one command from `commands.tool-adapters`: a tool registration, a tenant's egress
 * allow-list, or an operator's retry or discard of a parked call (`parked`). The event id derives
 * from the command id, so a redelivered command is recognised as already stored instead of making
 * another version.
 */
export function toolCommandHandler(store: EventStore, parked: (commandId: string, command: ParkedToolCallCommand) => Promise<unknown>): (message: ConsumedMessage<ToolCommandMessage>) => Promise<void> {
  return async ({ value: { commandId, command } }) => {
    const metadata = { ...command.metadata, eventIds: eventIdsFor(commandId, 1) };
    try {
      switch (command.type) {
        case 'RegisterTool':
          await handleCommand(store, toolRegistryStream(command.metadata.tenantId), { ...command, metadata }, toolRegistryDecider);
          return;
        case 'SetEgressAllowList':
          await handleCommand(store, egressStream(command.metadata.tenantId), { ...command, metadata }, egressDecider);
          return;
        case 'RetryParkedToolCall':
        case 'DiscardParkedToolCall':
          await parked(commandId, command);
          return;
      }
    } catch (error) {
      if (isEventStoreError(error) && !error.retryable) throw new MessagingError('Rejected', `${command.type}: ${error.message}`, { cause: error });
      throw error;
    }
  };
}

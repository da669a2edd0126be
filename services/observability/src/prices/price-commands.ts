import { pricesStream, type ObservabilityCommandMessage, type PriceTable } from '@agent-orchestrator/contracts';
import { eventIdsFor, handleCommand, isEventStoreError, type EventStore } from '@agent-orchestrator/event-store';
import { MessagingError, type ConsumedMessage } from '@agent-orchestrator/messaging';
import { randomUUID } from 'node:crypto';
import { pricesDecider } from '../domain/prices/prices.js';

/** Handles one command from `commands.observability`; the event id derives from the command id, so a redelivery makes no second version. */
export function priceCommandHandler(store: EventStore): (message: ConsumedMessage<ObservabilityCommandMessage>) => Promise<void> {
  return async ({ value: { commandId, command } }) => {
    try {
      await handleCommand(store, pricesStream, { ...command, metadata: { ...command.metadata, eventIds: eventIdsFor(commandId, 1) } }, pricesDecider);
    } catch (error) {
      if (isEventStoreError(error) && !error.retryable) throw new MessagingError('Rejected', `${command.type}: ${error.message}`, { cause: error });
      throw error;
    }
  };
}

/** Offers the configured table at start: a version when it changed since the last configured one (see SeedModelPrices). */
export async function seedConfiguredPrices(store: EventStore, prices: PriceTable, now: string): Promise<void> {
  const commandId = randomUUID();
  const metadata = { tenantId: 'platform', correlationId: commandId, causationId: null, actor: { kind: 'service' as const, id: 'observability' }, traceparent: null, now, eventIds: eventIdsFor(commandId, 1) };
  await handleCommand(store, pricesStream, { type: 'SeedModelPrices', prices, effectiveFrom: now, metadata }, pricesDecider);
}

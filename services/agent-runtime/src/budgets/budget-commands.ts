import { budgetStream, type SetBudget } from '@agent-orchestrator/contracts';
import { eventIdsFor, handleCommand, isEventStoreError, type EventStore } from '@agent-orchestrator/event-store';
import { MessagingError } from '@agent-orchestrator/messaging';
import { tenantBudgetsDecider } from '../domain/budget/index.js';

/**
 * SetBudget from `commands.agent-runtime`: the budget's new terms on its tenant's `budget-<tenant>`
 * stream. The gateway validated the terms; a store that refuses the event for good dead-letters it.
 */
export async function setBudget(store: EventStore, commandId: string, command: SetBudget): Promise<void> {
  const withIds: SetBudget = { ...command, metadata: { ...command.metadata, eventIds: eventIdsFor(commandId, 1) } };
  try {
    await handleCommand(store, budgetStream(command.metadata.tenantId), withIds, tenantBudgetsDecider);
  } catch (error) {
    if (isEventStoreError(error) && !error.retryable) throw new MessagingError('Rejected', `SetBudget ${command.budgetId}: ${error.message}`, { cause: error });
    throw error;
  }
}

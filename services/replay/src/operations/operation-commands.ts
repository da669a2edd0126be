import { operationItemSchema, operationItemsPerChunk, operationStream, type OperationItemRecord, type PlanOperation, type ReplayCommandMessage } from '@agent-orchestrator/contracts';
import { eventIdsFor, handleCommand, isEventStoreError, type EventStore } from '@agent-orchestrator/event-store';
import { MessagingError, type ConsumedMessage } from '@agent-orchestrator/messaging';
import type { Logger } from 'pino';
import { isOperationError, type RecordPlan } from '../domain/operation/index.js';
import type { ItemSource } from './item-source.js';
import { operationDecider } from './operation-stream.js';

export interface OperationCommandDeps {
  readonly store: EventStore;
  readonly sources: readonly ItemSource[];
  readonly defaultRate: number;
  /** Told when an operation may have work to run (confirmed, resumed). */
  readonly wake: (operationId: string) => void;
  readonly logger: Logger;
}

/**
 * Handles the commands on `commands.replay`. Event ids derive from the command id, so a
 * redelivered command records nothing twice. A refusal of the operation (confirming twice, another
 * tenant's id) goes to the dead-letter topic with the reason: retrying would not help. The gateway
 * checks the same rules first, so a caller hears them as a 409 or 404 rather than here.
 */
export function operationCommandHandler(deps: OperationCommandDeps): (message: ConsumedMessage<ReplayCommandMessage>) => Promise<void> {
  return async ({ value: { commandId, command } }) => {
    const streamId = operationStream(command.operationId);
    try {
      switch (command.type) {
        case 'PlanOperation': {
          const match = await matchPlan(command, deps.sources);
          const count = match.kind === 'matched' ? 1 + Math.ceil(match.items.length / operationItemsPerChunk) : 1;
          const recordPlan: RecordPlan = { type: 'RecordPlan', plan: command, match, defaultRate: deps.defaultRate, metadata: { ...command.metadata, eventIds: eventIdsFor(commandId, count) } };
          await handleCommand(deps.store, streamId, recordPlan, operationDecider);
          return;
        }
        case 'ConfirmOperation':
        case 'ResumeOperation':
          await handleCommand(deps.store, streamId, { ...command, metadata: { ...command.metadata, eventIds: eventIdsFor(commandId, 1) } }, operationDecider);
          deps.wake(command.operationId);
          return;
        case 'PauseOperation':
        case 'AbortOperation':
          // The runner sees these between batches: its next append finds the stream moved on.
          await handleCommand(deps.store, streamId, { ...command, metadata: { ...command.metadata, eventIds: eventIdsFor(commandId, 1) } }, operationDecider);
          return;
        default: {
          const unknown: never = command;
          throw new MessagingError('Rejected', `unknown replay command ${(unknown as { type: string }).type}`);
        }
      }
    } catch (error) {
      if (isOperationError(error)) throw new MessagingError('Rejected', `${command.type} of operation ${command.operationId}: ${error.message}`, { cause: error });
      if (isEventStoreError(error) && !error.retryable) throw new MessagingError('Rejected', `${command.type} of operation ${command.operationId}: ${error.message}`, { cause: error });
      throw error;
    }
  };
}

/**
 * Asks every source that takes part in the kind for the items the filter matches, in source order.
 * A source that fails throws (the command is retried: the database may be back soon); an item the
 * plan cannot record refuses the plan, naming the source, rather than stopping the consumer.
 */
async function matchPlan(command: PlanOperation, sources: readonly ItemSource[]): Promise<RecordPlan['match']> {
  if (command.kind === 'discard' && command.reason === undefined) return { kind: 'refused', reason: 'a discard needs a reason: say why these items are dropped for good' };
  const taking = sources.filter((source) => source.kinds.includes(command.kind));
  if (taking.length === 0) return { kind: 'refused', reason: `no item source takes part in ${command.kind} operations on this platform` };
  const items: OperationItemRecord[] = [];
  for (const source of taking) {
    for (const matched of await source.match(command.kind, command.filter, command.scope)) {
      const label = matched.label.length > 300 ? `${matched.label.slice(0, 299)}…` : matched.label;
      const parsed = operationItemSchema.safeParse({ ...matched, label });
      if (!parsed.success) return { kind: 'refused', reason: `source ${source.source} matched item ${String(matched.itemId).slice(0, 200)}, which an operation cannot record: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}` };
      items.push(parsed.data);
    }
  }
  return { kind: 'matched', items };
}

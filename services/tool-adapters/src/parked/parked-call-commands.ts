import { toolCallStream, type ParkedToolCallCommand } from '@agent-orchestrator/contracts';
import { eventIdsFor, handleCommand, type EventStore } from '@agent-orchestrator/event-store';
import type { Logger } from 'pino';
import { parkedCallDecider } from '../domain/parked-call/parked-call-decider.js';
import type { ToolCalls } from '../tool-calls.js';

/** What an operator's command came to: `skipped` when the call was not parked (so nothing changed). */
export type ParkedCallOutcome = 'completed' | 'failed' | 'parked' | 'discarded' | 'skipped';

/**
 * Handles RetryParkedToolCall and DiscardParkedToolCall from `commands.tool-adapters`. The events
 * derive their ids from the command id, so a redelivered command finds its own ToolCallRetried
 * and runs the call (once more, if a crash came between the retry and its answer: the same
 * Idempotency-Key goes with it, and only one answer is stored), while another command for a call
 * that is no longer parked changes nothing.
 */
export function parkedCallCommandHandler(store: EventStore, calls: ToolCalls, logger: Logger): (commandId: string, command: ParkedToolCallCommand) => Promise<ParkedCallOutcome> {
  return async (commandId, command) => {
    const stream = toolCallStream(command.runId, command.callId);
    const metadata = { ...command.metadata, eventIds: eventIdsFor(commandId, 2) };
    const { state, newEvents } = await handleCommand(store, stream, { ...command, metadata }, parkedCallDecider);
    const outcome = await (async (): Promise<ParkedCallOutcome> => {
      switch (command.type) {
        case 'DiscardParkedToolCall':
          return newEvents.length > 0 ? 'discarded' : 'skipped';
        case 'RetryParkedToolCall':
          return state.status === 'retrying' && state.retriedBy === metadata.eventIds[0] ? calls.runParkedAgain(state) : 'skipped';
      }
    })();
    const { runId, callId, operationId } = command;
    logger.info({ command: command.type, runId, callId, operationId, outcome, tenantId: command.metadata.tenantId }, outcome === 'skipped' ? 'parked call command skipped: the call is not parked' : 'parked call command handled');
    return outcome;
  };
}

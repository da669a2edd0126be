import { parseStreamName, type AgentRunEvent, type EventEnvelope, type SessionCommand } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { Logger } from 'pino';
import { commandForOutcome, outcomeMetadata, planRefusedCommand, planRefusedCommandId } from '../domain/session/run-outcome.js';
import { decideSessionCommand, sessionErrorCode } from './session-command-handler.js';

export type RunOutcome = EventEnvelope & Extract<AgentRunEvent, { type: 'AgentRunCompleted' | 'AgentRunFailed' }>;

/** What an agent run's outcome means for its session, stamped as the orchestrator's. */
export const commandFor = (outcome: RunOutcome, now: string): SessionCommand => commandForOutcome(outcome, outcomeMetadata(outcome, now));

/**
 * Decides a run's outcome on its session. A plan the decider finds unrunnable (a cycle, an unknown
 * dependency) counts as a failed planner run, so the planner is asked again within its attempts.
 */
export async function decideRunOutcome(store: EventStore, logger: Logger, outcome: RunOutcome, now: string): Promise<void> {
  if (parseStreamName(outcome.streamId).category !== 'agentrun') return;
  const command = commandFor(outcome, now);
  try {
    await decideSessionCommand(store, logger, outcome.eventId, command);
  } catch (error) {
    const refusal = error instanceof Error ? error.cause : undefined;
    if (command.type !== 'RecordPlan' || sessionErrorCode(refusal) !== 'InvalidPlan') throw error;
    const failure = planRefusedCommand(command, (refusal as Error).message, command.metadata);
    // Its own command id, derived from the outcome's, so a redelivered outcome decides it once.
    await decideSessionCommand(store, logger, planRefusedCommandId(outcome.eventId), failure);
  }
}

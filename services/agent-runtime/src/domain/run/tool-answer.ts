import type { EventEnvelope, ToolCallEvent } from '@agent-orchestrator/contracts';

/** The event that answers a tool call: its completion or its failure (a discarded parked call ends failed). */
export type ToolAnswer = EventEnvelope & Extract<ToolCallEvent, { type: 'ToolCallCompleted' | 'ToolCallFailed' }>;

/**
 * The answer among a tool call's stream: the first completion or failure. A parked call's stream
 * holds its parkings, retries and discard before the answer, if one came; the run goes on at the
 * answer alone, live and when replayed.
 */
export function toolAnswerIn(events: readonly EventEnvelope[]): ToolAnswer | undefined {
  return events.find((event): event is ToolAnswer => event.type === 'ToolCallCompleted' || event.type === 'ToolCallFailed');
}

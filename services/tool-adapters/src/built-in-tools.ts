import { toolCallStream, type AgentRunEvent, type EventEnvelope, type NewEvent } from '@agent-orchestrator/contracts';
import { isEventStoreError, type EventStore } from '@agent-orchestrator/event-store';
import { v5 as uuidV5 } from 'uuid';

export type ToolCallRequest = EventEnvelope & Extract<AgentRunEvent, { type: 'ToolCallRequested' }>;

/** Fixed namespace for answer ids, derived from the request's event id. */
const answerNamespace = '8d4a1f52-3c0b-4e51-9a7f-0c6b2d9e4f13';

/**
 * The tools the platform has before any is registered from an OpenAPI document: `echo` answers
 * with the text it was given. Tools registered from OpenAPI documents arrive with the tools,
 * policy and approvals work; until then every other tool name is answered as unknown.
 */
export function builtInAnswer(tool: string, argumentsJson: string): { output: string } | { reason: string } {
  if (tool !== 'echo') return { reason: `no tool named "${tool}" is registered` };
  try {
    const { text } = JSON.parse(argumentsJson) as { text?: unknown };
    if (typeof text !== 'string') return { reason: 'echo takes {"text": string}' };
    return { output: text };
  } catch {
    return { reason: `echo was called with arguments that are not JSON: ${argumentsJson.slice(0, 200)}` };
  }
}

/**
 * Answers one ToolCallRequested on the call's own stream. The stream must not exist yet, so a
 * redelivered request (or two processes on the same one) answers the call once.
 */
export async function answerToolCall(store: EventStore, request: ToolCallRequest, now: string): Promise<void> {
  const { sessionId, runId, callId, tool } = request.data;
  const answer = builtInAnswer(tool, request.data.arguments);
  const event: NewEvent = {
    eventId: uuidV5(`${request.eventId}/answer`, answerNamespace),
    tenantId: request.tenantId,
    correlationId: request.correlationId,
    causationId: request.eventId,
    actor: { kind: 'service', id: 'tool-adapters' },
    occurredAt: now,
    traceparent: request.traceparent,
    schemaVersion: 1,
    ...('output' in answer
      ? { type: 'ToolCallCompleted', data: { sessionId, runId, callId, tool, output: answer.output } }
      : { type: 'ToolCallFailed', data: { sessionId, runId, callId, tool, reason: answer.reason } }),
  };
  try {
    await store.append(toolCallStream(runId, callId), [event], { expectedVersion: 'no_stream' });
  } catch (error) {
    if (isEventStoreError(error) && error.code === 'WrongExpectedVersion') return; // answered already
    throw error;
  }
}

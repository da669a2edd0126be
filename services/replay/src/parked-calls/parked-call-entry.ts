import { parseOperationToolName, toolCallStream, type EventEnvelope, type ParkedCallEvent } from '@agent-orchestrator/contracts';
import type { DeadLetterEntry } from '@agent-orchestrator/read-models';
import { v5 as uuidV5 } from 'uuid';

/** Fixed namespace: a parked call's row id from its stream, so every parking of one call is one row. */
const parkedCallNamespace = '3b0f7d2e-9c41-4a8b-b6e5-1f2a3c4d5e60';

/** The group that parked the call, as the index names consumers (without the deployment's prefix). */
export const parkingConsumer = 'tool-adapters';

const safeMethods = new Set(['get', 'head', 'options']);

export function parkedCallId(runId: string, callId: string): string {
  return uuidV5(toolCallStream(runId, callId), parkedCallNamespace);
}

/** Where a row's call is, kept in the row's headers: the call's run and id (its row id is a hash of them). */
export function parkedCallOf(headers: Readonly<Record<string, string>>): { runId: string; callId: string } | undefined {
  const { runId, callId } = headers;
  return runId === undefined || callId === undefined ? undefined : { runId, callId };
}

/**
 * A parking as a row of the dead-letter index (source `parked-call`, consumer tool-adapters): the
 * registered tool (`crm` of `crm__createContact`, as `--tool crm` filters), the failure code, the
 * session. Its position is the parking's stream version, so a parking seen again is one sighting,
 * and a parking after a failed redrive brings the row back to pending with its attempts summed.
 */
export function parkedCallEntry(event: EventEnvelope & Extract<ParkedCallEvent, { type: 'ToolCallParked' }>): DeadLetterEntry {
  const { sessionId, runId, callId, tool, operation, method, code, reason, attempts, parkings } = event.data;
  const repeats = !safeMethods.has(method);
  return {
    id: parkedCallId(runId, callId),
    source: 'parked-call',
    tenantId: event.tenantId,
    consumer: parkingConsumer,
    errorCode: code,
    reason,
    attempts,
    sourceTopic: null,
    sourcePartition: null,
    sourceOffset: null,
    sessionId,
    tool: parseOperationToolName(tool)?.tool ?? tool,
    messageType: event.type,
    seenAt: new Date(event.occurredAt),
    redriveCount: parkings - 1,
    key: event.streamId,
    headers: { runId, callId, operation, method },
    value: null,
    position: event.streamVersion,
    sideEffect: { repeats, why: `runs ${method.toUpperCase()} ${tool} again${repeats ? '' : ', which changes nothing'}` },
  };
}

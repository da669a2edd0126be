import { z } from 'zod';
import { agentRunIdSchema as runId, toolCallIdSchema as callId } from './agent-run-events.js';
import { defineEvent, type EventOf } from './catalog.js';
import { reasonSchema as reason, sessionIdSchema as sessionId } from './session-events.js';

/**
 * What a tool does when a call's retries are exhausted: `fail` answers the call as failed (the
 * agent is told), `park` keeps it unanswered (the run waits, the session is blocked) until an
 * operator retries or discards it. Absent: `fail`.
 */
export const exhaustedCallPolicies = ['fail', 'park'] as const;
export type ExhaustedCallPolicy = (typeof exhaustedCallPolicies)[number];

/**
 * Why a call failed, in a short, stable word an SRE filters by: `timeout`, `connection-refused`,
 * `connection-reset`, `dns`, `network` (no answer for another reason), `circuit-open` (the tool's
 * circuit breaker stopped the call), `http-<status>` (`http-503`), `other`.
 */
export const toolFailureCodeSchema = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/);

const toolName = z.string().min(1).max(200);
const operationId = z.uuid();
const httpMethod = z.enum(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/**
 * A call of a tool registered with `onExhausted: "park"` failed after its last retry: it is left
 * unanswered on its `toolcall-<runId>.<callId>` stream, so the run waits, until ToolCallRetried or
 * ToolCallDiscarded. `attempts` counts the requests sent since the call was last let through (the
 * first time, or the retry this parking follows): a reader sums them over the call's parkings.
 * `parkings` says how many times it has been parked (1 the first time). `approvalId`: the approval
 * that let the call through, whose settled arguments a retry sends again; absent when the policy
 * allowed the call as the model asked for it.
 */
export const ToolCallParked = defineEvent('ToolCallParked', [
  {
    schema: z.strictObject({
      sessionId,
      runId,
      callId,
      tool: toolName,
      operation: z.string().min(1).max(200),
      method: httpMethod,
      code: toolFailureCodeSchema,
      reason,
      attempts: z.number().int().min(0),
      parkings: z.number().int().min(1),
      approvalId: z.uuid().optional(),
    }),
  },
]);

/**
 * An operator asked for a parked call to run once more (through an operation, when
 * `operationId` is set). The call's answer, or another ToolCallParked, follows on the same stream.
 */
export const ToolCallRetried = defineEvent('ToolCallRetried', [
  { schema: z.strictObject({ sessionId, runId, callId, tool: toolName, operationId: operationId.optional() }) },
]);

/**
 * An operator gave a parked call up. A ToolCallFailed ("discarded by an operator: <reason>")
 * follows it in the same append, so the agent is told.
 */
export const ToolCallDiscarded = defineEvent('ToolCallDiscarded', [
  { schema: z.strictObject({ sessionId, runId, callId, tool: toolName, reason, operationId: operationId.optional() }) },
]);

export const parkedCallEvents = [ToolCallParked, ToolCallRetried, ToolCallDiscarded] as const;
export type ParkedCallEvent = EventOf<(typeof parkedCallEvents)[number]>;

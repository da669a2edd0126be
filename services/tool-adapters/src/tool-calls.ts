import {
  messageHeaders,
  parseOperationToolName,
  sessionStream,
  toolCallStream,
  ToolRegistry,
  toolRegistryStream,
  type AgentRunEvent,
  type EventEnvelope,
  type NewEvent,
  type SessionEvent,
  type TopicNames,
} from '@agent-orchestrator/contracts';
import { isEventStoreError, type EventStore } from '@agent-orchestrator/event-store';
import { encodeEvent, type MessageProducer } from '@agent-orchestrator/messaging';
import { redactPii, type PiiKind } from '@agent-orchestrator/pii';
import type { Logger } from 'pino';
import { v5 as uuidV5 } from 'uuid';
import type { HttpExecutor } from './execution/http-executor.js';

export type ToolCallRequest = EventEnvelope & Extract<AgentRunEvent, { type: 'ToolCallRequested' }>;

/** Fixed namespaces: answer ids and Idempotency-Keys, derived from the request's event id. */
const answerNamespace = '8d4a1f52-3c0b-4e51-9a7f-0c6b2d9e4f13';
const idempotencyNamespace = '1f6e2b7a-4c3d-4e8f-9a0b-5c6d7e8f9a01';

/** The built-in `echo` answers with the text it was given. */
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

export interface ToolCallsOptions {
  readonly store: EventStore;
  readonly executor: HttpExecutor;
  readonly producer: MessageProducer;
  readonly topics: TopicNames;
  readonly logger: Logger;
  readonly now: () => string;
  /** The kinds of personal data and secrets replaced in answers before they are stored. */
  readonly redact: readonly PiiKind[];
}

/**
 * Answers ToolCallRequested on the call's own stream: the built-in echo, or an operation of a
 * registered tool at the version the session pinned, executed over HTTP. A call already answered
 * is not executed again; the stream must not exist when the answer is appended, so a redelivered
 * request (or two processes on one) answers the call once. A call that failed after its last
 * retry is answered as failed (the agent is told) and its request is dead-lettered with the reason.
 */
export class ToolCalls {
  constructor(private readonly options: ToolCallsOptions) {}

  async answer(request: ToolCallRequest): Promise<void> {
    const { store } = this.options;
    const { runId, callId } = request.data;
    const stream = toolCallStream(runId, callId);
    if ((await store.readStream(stream, { maxCount: 1 })).length > 0) return; // answered already
    const answer = await this.execute(request);
    if ('deadLetter' in answer) await this.deadLetter(request, answer.reason);
    await this.append(request, stream, answer);
  }

  private async execute(request: ToolCallRequest): Promise<{ output: string } | { reason: string; deadLetter?: true }> {
    const { sessionId, tool: name } = request.data;
    const target = parseOperationToolName(name);
    if (target === undefined) return builtInAnswer(name, request.data.arguments);
    const [started] = (await this.options.store.readStream(sessionStream(sessionId), { maxCount: 1 })) as (EventEnvelope & SessionEvent)[];
    const version = started?.type === 'SessionStarted' ? started.data.toolVersions[target.tool] : undefined;
    if (version === undefined) return { reason: `the session has no tool named ${target.tool}` };
    const registry = ToolRegistry.fold(await this.options.store.readStream(toolRegistryStream(request.tenantId)));
    const definition = registry.version(target.tool, version)?.definition;
    const operation = definition?.operations.find((candidate) => candidate.name === target.operation);
    if (!definition || !operation) return { reason: `tool ${target.tool} version ${version} has no operation ${target.operation}` };
    const idempotencyKey = uuidV5(`${request.eventId}/call`, idempotencyNamespace);
    const outcome = await this.options.executor.call({ tenantId: request.tenantId, tool: target.tool, version }, definition, operation, request.data.arguments, idempotencyKey);
    this.options.logger.info({ tool: name, callId: request.data.callId, outcome: outcome.outcome, ...('attempts' in outcome ? { attempts: outcome.attempts } : {}) }, 'tool call answered');
    switch (outcome.outcome) {
      case 'completed':
        return { output: outcome.output };
      case 'refused':
        return { reason: `the call was not sent: ${outcome.reason}` };
      case 'failed':
        return outcome.gaveUp ? { reason: outcome.reason, deadLetter: true } : { reason: outcome.reason };
    }
  }

  private async deadLetter(request: ToolCallRequest, reason: string): Promise<void> {
    const { producer, topics } = this.options;
    const message = encodeEvent(request, topics.deadLetters('tool-adapters'));
    await producer.send([
      {
        ...message,
        headers: {
          ...message.headers,
          [messageHeaders.dlqReason]: reason.slice(0, 4000),
          [messageHeaders.dlqErrorCode]: 'ToolCallGaveUp',
          [messageHeaders.dlqConsumerGroup]: 'tool-adapters',
          [messageHeaders.dlqFailedAt]: new Date().toISOString(),
        },
      },
    ]);
  }

  /**
   * Appends the answer, with personal data and secrets in it replaced; a PiiRedacted after it
   * records what was replaced. Answer and record are one append: neither is stored without the other.
   */
  private async append(request: ToolCallRequest, stream: string, answer: { output: string } | { reason: string }): Promise<void> {
    const { sessionId, runId, callId, tool } = request.data;
    const field = 'output' in answer ? 'output' : 'reason';
    const { text, found } = redactPii('output' in answer ? answer.output : answer.reason.slice(0, 4000), this.options.redact);
    const stamp = (suffix: string) => ({
      eventId: uuidV5(`${request.eventId}/${suffix}`, answerNamespace),
      tenantId: request.tenantId,
      correlationId: request.correlationId,
      causationId: request.eventId,
      actor: { kind: 'service', id: 'tool-adapters' } as const,
      occurredAt: this.options.now(),
      traceparent: request.traceparent,
      schemaVersion: 1,
    });
    const events: NewEvent[] = [
      field === 'output'
        ? { ...stamp('answer'), type: 'ToolCallCompleted', data: { sessionId, runId, callId, tool, output: text } }
        : { ...stamp('answer'), type: 'ToolCallFailed', data: { sessionId, runId, callId, tool, reason: text.slice(0, 4000) } },
      ...(Object.keys(found).length === 0 ? [] : [{ ...stamp('redacted'), type: 'PiiRedacted', data: { sessionId, runId, callId, field, found } }]),
    ];
    try {
      await this.options.store.append(stream, events, { expectedVersion: 'no_stream' });
    } catch (error) {
      if (isEventStoreError(error) && error.code === 'WrongExpectedVersion') return; // answered already
      throw error;
    }
  }
}

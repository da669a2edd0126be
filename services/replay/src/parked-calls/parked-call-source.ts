import { sessionStream, toolCallStream, type EventEnvelope, type ParkedToolCallCommand, type ToolCommandMessage, type TopicNames } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import type { DeadLetterIndex, DeadLetterMessage, DeadLetterQueries, DeadLetterRecord } from '@agent-orchestrator/read-models';
import { v5 as uuidV5 } from 'uuid';
import type { ExecutionContext, ItemResult, ItemSource, OperationFilter, OperationItem, OperationKind, OperationScope } from '../operations/item-source.js';
import { parkedCallOf } from './parked-call-entry.js';
import { deadLetterFilter } from '../dead-letters/dead-letter-source.js';

/** Fixed namespace: the command an operation sends for an item, so executing the item again sends the same command. */
const commandNamespace = '5e2c8a41-7d3f-4b9e-a0c6-2b4d6f8a1c3e';

export interface ParkedCallSourceOptions {
  readonly queries: DeadLetterQueries;
  readonly index: DeadLetterIndex;
  readonly store: EventStore;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  /** How long an item waits for the call's answer (or its parking again) before it is reported as failed (default 30 s). */
  readonly answerWithinMs?: number;
  readonly now?: () => Date;
}

function itemOf(kind: OperationKind, row: DeadLetterRecord): OperationItem {
  return {
    itemId: row.id,
    source: 'parked-call',
    tenantId: row.tenantId,
    consumer: row.consumer,
    code: row.errorCode,
    ...(row.tool === null ? {} : { tool: row.tool }),
    ...(row.sessionId === null ? {} : { sessionId: row.sessionId }),
    // A discard runs nothing; a redrive runs the call once more.
    repeatsSideEffect: kind === 'redrive' && row.repeatsSideEffect !== false,
    label: `parked call of ${row.tool ?? 'a tool'} in session ${row.sessionId ?? '?'} (${row.errorCode}: ${row.reason.slice(0, 120)})${kind === 'redrive' && row.sideEffectNote ? `; ${row.sideEffectNote}` : ''}${
      row.redriveCount > 0 ? `; parked ${row.redriveCount + 1} times` : ''
    }`,
  };
}

type Answer = 'ToolCallCompleted' | 'ToolCallFailed' | 'ToolCallParked';

/**
 * Parked tool calls as an operation's items (kinds redrive and discard). Executing one sends
 * RetryParkedToolCall or DiscardParkedToolCall to tool-adapters on `commands.tool-adapters` (not
 * an event: a command, idempotent by item, whose id derives from the operation and the item), then
 * waits, bounded, for what it came to on the call's stream: answered (the run resumes), parked
 * again (failed), or discarded. A call no longer parked (answered, or being redriven by another
 * operation) is skipped, and so is one tool-adapters found not parked when the command arrived.
 * Cancelling a blocked session discards nothing: its parked calls stay listed, a redrive of one
 * is skipped (its session ended), and a discard answers it.
 */
export class ParkedCallSource implements ItemSource {
  readonly source = 'parked-call' as const;
  readonly kinds: readonly OperationKind[] = ['redrive', 'discard'];
  private readonly now: () => Date;

  constructor(private readonly options: ParkedCallSourceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async match(kind: OperationKind, filter: OperationFilter, scope: OperationScope): Promise<readonly OperationItem[]> {
    if (!this.kinds.includes(kind)) return [];
    return (await this.options.queries.matching(scope, deadLetterFilter(filter, 'parked-call'))).map((row) => itemOf(kind, row));
  }

  async execute(kind: OperationKind, item: OperationItem, context: ExecutionContext): Promise<ItemResult> {
    const [row] = await this.options.queries.messages(context.scope, [item.itemId]);
    const call = row && parkedCallOf(row.headers);
    if (row === undefined || row.tenantId === null || call === undefined) return { outcome: 'skipped', detail: 'no such parked call in scope' };
    switch (kind) {
      case 'redrive':
        return this.act(row, call, context, { type: 'RetryParkedToolCall' });
      case 'discard': {
        const reason = context.reason?.trim();
        if (!reason) return { outcome: 'failed', detail: 'a discard needs a reason' };
        return this.act(row, call, context, { type: 'DiscardParkedToolCall', reason });
      }
      case 'rebuild-projection':
      case 'retry-quarantined':
      case 'replay-sessions':
        return { outcome: 'skipped', detail: `parked calls take no ${kind}` };
      default: {
        const unreachable: never = kind;
        return unreachable;
      }
    }
  }

  private async act(
    row: DeadLetterMessage,
    call: { readonly runId: string; readonly callId: string },
    context: ExecutionContext,
    action: { readonly type: 'RetryParkedToolCall' } | { readonly type: 'DiscardParkedToolCall'; readonly reason: string },
  ): Promise<ItemResult> {
    const stream = toolCallStream(call.runId, call.callId);
    const commandId = uuidV5(`${context.operationId}/${row.id}`, commandNamespace);
    const before = await this.options.store.readStream(stream);
    // Executed again after a crash: the command went out already; wait for what it came to.
    const sentBefore = before.some((event) => event.causationId === commandId);
    const last = before.at(-1);
    if (!sentBefore && last?.type !== 'ToolCallParked') return { outcome: 'skipped', detail: last === undefined ? 'the call was never parked' : `the call is not parked (its last event is ${last.type})` };
    // A session that ended (cancelled, failed) waits for nothing: running its call would be a side effect for no one.
    const ended = action.type === 'RetryParkedToolCall' && !sentBefore && row.sessionId !== null ? await this.sessionEnd(row.sessionId) : undefined;
    if (ended !== undefined) return { outcome: 'skipped', detail: `its session has ended (${ended}); discard the call instead` };
    if (!sentBefore) await this.send(row.tenantId!, row.sessionId, call, commandId, context, action);
    const result = await this.settle(row, stream, commandId, context, action);
    // Acted on already (the runner executes an item again after a crash): skipped, saying what it came to.
    return sentBefore && result.outcome !== 'failed' ? { outcome: 'skipped', detail: `already acted on by this operation: ${String(result.detail)}` } : result;
  }

  /** Marks the row and waits for what the command came to. */
  private async settle(
    row: DeadLetterMessage,
    stream: string,
    commandId: string,
    context: ExecutionContext,
    action: { readonly type: 'RetryParkedToolCall' } | { readonly type: 'DiscardParkedToolCall'; readonly reason: string },
  ): Promise<ItemResult> {
    const at = this.now();
    // Only the parking read: when the call was parked again already, that sighting (pending) wins.
    if (action.type === 'RetryParkedToolCall') await this.options.index.markManyRedriven([{ id: row.id, position: row.position }], { operationId: context.operationId, at });
    const outcome = await this.outcomeOf(stream, commandId);
    if (outcome === undefined) {
      const acted = action.type === 'RetryParkedToolCall' ? 'redriven' : 'discarded';
      return { outcome: 'failed', detail: `sent, but the call was not ${acted} within ${(this.options.answerWithinMs ?? 30_000) / 1000} s; its session shows what became of it` };
    }
    if (outcome.kind === 'skipped') return { outcome: 'skipped', detail: 'tool-adapters found the call no longer parked' };
    if (action.type === 'DiscardParkedToolCall') {
      await this.options.index.markDiscarded(row.id, { operationId: context.operationId, at, reason: action.reason });
      return { outcome: 'succeeded', detail: `discarded: ${action.reason}; the agent is told` };
    }
    switch (outcome.answer) {
      case 'ToolCallCompleted':
        return { outcome: 'succeeded', detail: 'ran once more and completed; the run resumes' };
      case 'ToolCallFailed':
        return { outcome: 'failed', detail: 'ran once more and failed; the agent is told' };
      case 'ToolCallParked':
        return { outcome: 'failed', detail: `ran once more and was parked again (${String((outcome.event.data as { code?: string }).code)})` };
    }
  }

  private async sessionEnd(sessionId: string): Promise<string | undefined> {
    const [last] = await this.options.store.readStream(sessionStream(sessionId), { direction: 'backwards', maxCount: 1 });
    return last !== undefined && ['SessionCompleted', 'SessionFailed', 'SessionCancelled'].includes(last.type) ? last.type : undefined;
  }

  private async send(
    tenantId: string,
    sessionId: string | null,
    call: { readonly runId: string; readonly callId: string },
    commandId: string,
    context: ExecutionContext,
    action: { readonly type: 'RetryParkedToolCall' } | { readonly type: 'DiscardParkedToolCall'; readonly reason: string },
  ): Promise<void> {
    const metadata = {
      tenantId,
      correlationId: sessionId ?? call.runId,
      // The command's events say they are its own (see outcomeOf); the operation is named in their data.
      causationId: commandId,
      actor: { kind: 'service' as const, id: 'replay' },
      traceparent: null,
      now: this.now().toISOString(),
      eventIds: [],
    };
    const command: ParkedToolCallCommand = { ...action, runId: call.runId, callId: call.callId, operationId: context.operationId, metadata };
    const message: ToolCommandMessage = { commandId, command };
    await this.options.producer.send([{ topic: this.options.topics.commands('tool-adapters'), key: toolCallStream(call.runId, call.callId), value: JSON.stringify(message) }]);
  }

  /**
   * What the command came to, read from the call's stream: the command's own event (its causation
   * is the command id), then the answer or parking after it. Undefined when it is not there in time.
   */
  private async outcomeOf(stream: string, commandId: string): Promise<{ kind: 'acted'; answer: Answer; event: EventEnvelope } | { kind: 'skipped' } | undefined> {
    const deadline = Date.now() + (this.options.answerWithinMs ?? 30_000);
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const events = await this.options.store.readStream(stream);
      const own = events.findIndex((event) => event.causationId === commandId);
      const after = own === -1 ? undefined : events.slice(own + 1).find((event): event is EventEnvelope & { type: Answer } => ['ToolCallCompleted', 'ToolCallFailed', 'ToolCallParked'].includes(event.type));
      if (after) return { kind: 'acted', answer: after.type, event: after };
      // Someone else's action answered the call while ours was on its way: tool-adapters skipped ours.
      if (own === -1 && events.at(-1)?.type !== 'ToolCallParked' && events.some((event) => event.causationId !== commandId && ['ToolCallCompleted', 'ToolCallFailed'].includes(event.type))) return { kind: 'skipped' };
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

import type { EventEnvelope, ParkedCallEvent, ToolCallEvent, TopicNames } from '@agent-orchestrator/contracts';
import { eventDecoder, type Broker, type MessageSender, type RunningConsumer } from '@agent-orchestrator/messaging';
import type { DeadLetterIndex } from '@agent-orchestrator/read-models';
import type { Logger } from 'pino';
import { parkedCallEntry, parkedCallId } from './parked-call-entry.js';

/** The indexing's own group on `events.toolcall`. */
export const parkedCallIndexGroup = 'replay.parked-calls';

export interface ParkedCallIndexingOptions {
  readonly broker: Broker;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  readonly index: DeadLetterIndex;
  readonly logger: Logger;
}

type CallEvent = EventEnvelope & (ParkedCallEvent | ToolCallEvent);

/**
 * Lists parked calls beside dead letters: every ToolCallParked on `events.toolcall` upserts the
 * call's row of the dead-letter index (pending again after a redrive that failed), and the call's
 * answer (ToolCallCompleted, or the ToolCallFailed that follows a discard) resolves it. Upserts are
 * idempotent by the parking's stream version and resolving twice changes nothing, so what Kafka
 * redelivers is harmless. Answers of calls that were never parked match no row.
 */
export async function startParkedCallIndexing(options: ParkedCallIndexingOptions): Promise<RunningConsumer> {
  const { broker, producer, topics, index, logger } = options;
  await broker.ensureTopics([{ name: topics.deadLetters(parkedCallIndexGroup), partitions: 1 }]);
  return broker.consume<EventEnvelope>({
    groupId: topics.consumerGroup(parkedCallIndexGroup),
    topics: [topics.events('toolcall')],
    decode: eventDecoder(),
    handle: async ({ value }) => {
      const event = value as CallEvent;
      switch (event.type) {
        case 'ToolCallParked':
          await index.upsert(parkedCallEntry(event));
          return;
        case 'ToolCallCompleted':
        case 'ToolCallFailed':
          await index.resolve(parkedCallId(event.data.runId, event.data.callId), new Date(event.occurredAt));
          return;
        case 'ToolCallRetried':
        case 'ToolCallDiscarded':
          // The operation that sent the command marked the row already (redriven, discarded).
          return;
        default:
          return;
      }
    },
    deadLetters: { producer, topic: topics.deadLetters(parkedCallIndexGroup) },
    partitionsConsumedConcurrently: 3,
    logger,
  });
}

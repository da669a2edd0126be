import type { EventEnvelope, TopicNames } from '@agent-orchestrator/contracts';
import type { CheckpointStore, EventStore, Subscription } from '@agent-orchestrator/event-store';
import { encodeEvent } from './codec.js';
import type { MessageSender } from './producer.js';

export interface RelayOptions {
  readonly store: EventStore;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  readonly subscriptionId?: string;
  /** Where the relay keeps its place; the store's durable checkpoints unless given. */
  readonly checkpoints?: CheckpointStore;
  readonly batchSize?: number;
  readonly onError?: (error: unknown, attempt: number) => void;
  /** Told each batch once the broker took it (e.g. to export the spans the log closed). */
  readonly onRelayed?: (events: readonly EventEnvelope[]) => void;
}

/**
 * The outbox relay: follows the event store's global log from its checkpoint and publishes each
 * event to its category's topic, keyed by stream id. The subscription moves the checkpoint only
 * after a batch's send resolved, which is after the broker acknowledged every message, and sends
 * the next batch while that checkpoint is being saved: a crash republishes at most two batches
 * (consumers drop the duplicates by event id), and loses nothing.
 */
export function startRelay(options: RelayOptions): Subscription {
  return options.store.subscribeToAll({
    subscriptionId: options.subscriptionId ?? 'kafka-relay',
    batchSize: options.batchSize ?? 500,
    onError: options.onError,
    ...(options.checkpoints ? { checkpoints: options.checkpoints } : {}),
    handle: async (events) => {
      await options.producer.send(events.map((event) => encodeEvent(event, options.topics.eventsForStream(event.streamId))));
      options.onRelayed?.(events);
    },
  });
}

import { parseStreamName, streamCategories, type StreamCategory } from './streams.js';

/**
 * Kafka topic names are contracts: every service takes them from here. A deployment may put a
 * prefix in front of all of them (one cluster, several environments; one prefix per test file);
 * the prefix is applied by `topicNames(prefix)` and nowhere else.
 *
 * - events.<category>: the relay publishes each stored event to its stream category's topic,
 *   keyed by stream id, so one stream's events stay in order in one partition.
 * - commands.<service>: commands for the service that owns the target stream, keyed by that
 *   stream's id. `commands.projections` goes to whichever process hosts the read-model
 *   projections (the orchestrator today), keyed by the projection's name.
 * - dlq.<consumer group>: what one consumer group could not handle, with the reason. Per group,
 *   because a message one group cannot handle may be fine for another.
 */
export const commandTargets = ['gateway', 'orchestrator', 'agent-runtime', 'tool-adapters', 'policy', 'approvals', 'memory', 'replay', 'audit', 'projections', 'observability'] as const;
export type CommandTarget = (typeof commandTargets)[number];

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

/** Partitions bound how many consumers of one group work in parallel. */
export const eventTopicPartitions = 6;
export const commandTopicPartitions = 6;
export const deadLetterTopicPartitions = 1;

const topicNamePattern = /^[A-Za-z0-9._-]{0,100}$/;

export function topicNames(prefix = '') {
  if (!topicNamePattern.test(prefix)) throw new Error(`topic prefix "${prefix}" may hold only letters, digits, ".", "_" and "-"`);
  const events = (category: StreamCategory | string): string => `${prefix}events.${category}`;
  return {
    prefix,
    events,
    /** The event topic a stored event goes to. */
    eventsForStream: (streamId: string): string => events(parseStreamName(streamId).category),
    commands: (target: CommandTarget): string => `${prefix}commands.${target}`,
    deadLetters: (consumerGroup: string): string => `${prefix}dlq.${consumerGroup}`,
    /**
     * The Kafka group id of a consumer group. Prefixed like the topics: deployments that share a
     * cluster under different prefixes must not share groups, or one's members would be assigned
     * the other's partitions.
     */
    consumerGroup: (name: string): string => `${prefix}${name}`,
    /** Every event and command topic, for creating them up front. */
    all(): TopicSpec[] {
      return [
        ...Object.values(streamCategories).map((category) => ({ name: events(category), partitions: eventTopicPartitions })),
        ...commandTargets.map((target) => ({ name: `${prefix}commands.${target}`, partitions: commandTopicPartitions })),
      ];
    },
  };
}
export type TopicNames = ReturnType<typeof topicNames>;

/**
 * Kafka header names the platform sets. Values are UTF-8 strings. `traceparent`/`tracestate`
 * are W3C trace context; the dead-letter headers say where a message came from and why it failed.
 * A redriven message (a dead letter produced again to its source topic) names the one Kafka group
 * id it is for (`redrive-group`: every other group passes over it), the dead letter it is
 * (`redrive-of`) and how many times it has been redriven (`redrive-count`); if it fails again, its
 * new dead letter keeps the last two, so the index counts it on the same dead letter.
 */
export const messageHeaders = {
  eventId: 'event-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  tenantId: 'tenant-id',
  contentType: 'content-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  dlqReason: 'dlq-reason',
  dlqErrorCode: 'dlq-error-code',
  dlqSourceTopic: 'dlq-source-topic',
  dlqSourcePartition: 'dlq-source-partition',
  dlqSourceOffset: 'dlq-source-offset',
  dlqConsumerGroup: 'dlq-consumer-group',
  dlqAttempts: 'dlq-attempts',
  dlqFailedAt: 'dlq-failed-at',
  redriveGroup: 'redrive-group',
  redriveOf: 'redrive-of',
  redriveCount: 'redrive-count',
} as const;

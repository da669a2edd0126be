import { comparePositions, type GlobalPosition, type TopicSpec } from '@agent-orchestrator/contracts';
import type { CheckpointStore } from '@agent-orchestrator/event-store';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Broker, ConsumeOptions } from './broker.js';
import { messageProcessor, Stopping, type RunningConsumer } from './consumer.js';
import { defaultLogger } from './kafka.js';
import type { MessageSender, OutgoingMessage } from './producer.js';
import { traceHeaders } from './trace-context.js';

interface Partition {
  /** The messages from offset `first` on; those every group has handled are let go. */
  messages: KafkaMessage[];
  first: number;
  /** Wakes the groups' loops waiting at the end of this partition. */
  waiters: Set<() => void>;
}

interface Topic {
  readonly partitions: Partition[];
}

const defaultPartitions = 6;
/** How many handled messages a partition lets go of at once (one copy of the rest each time). */
const letGoChunk = 1000;

/** The offset the partition's next message gets. */
const end = (partition: Partition): number => partition.first + partition.messages.length;

/** FNV-1a, so a key always lands in the same partition (its messages keep their order). */
function partitionOf(key: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash % count;
}

/**
 * The messaging port inside one process, for dev mode: what services rely on of Kafka, kept.
 * Each topic has partitions chosen by key, so one key's messages stay in order; each consumer
 * group gets every message once, each partition handled by one loop at a time; a failing handler
 * is retried with backoff and then dead-lettered with the reason, through the same message
 * handling as the Kafka consumer.
 *
 * Messages live in memory, and those every group has handled are let go once all groups have
 * started (a group that joins later starts after them, as under Kafka's retention). Nothing is
 * kept across restarts: dev mode's relay keeps its place through `settledCheckpoints`, which
 * stores a position only once every group has handled all that was published before it. After a
 * restart the relay publishes again from there, and idempotent consumers pass over what they had
 * handled since, so nothing in flight at a crash is lost.
 */
export class InProcessBroker implements Broker {
  private readonly topics = new Map<string, Topic>();
  private readonly running = new Set<RunningConsumer>();
  /** Per group, the next offset of each `topic/partition`: where a group's consumer started again resumes. */
  private readonly offsets = new Map<string, Map<string, number>>();
  /** Per group, the topics it consumes, kept while it is stopped: it will handle them when it starts again. */
  private readonly groupTopics = new Map<string, readonly string[]>();
  private readonly consuming = new Set<string>();
  /** Waiting for every group to handle what had been published when each was made, oldest first. */
  private marks: { readonly published: Map<string, number[]>; readonly settle: () => void }[] = [];
  private everyGroupStarted = false;
  readonly producer: MessageSender = { send: (messages) => this.publish(messages) };

  constructor(private readonly logger: Logger = defaultLogger('in-process-broker')) {}

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    for (const { name, partitions } of topics) this.topic(name, partitions);
  }

  /** Every topic made so far: by ensureTopics, by a consumer, or by the first message sent to it (a dead-letter topic). */
  async listTopics(): Promise<string[]> {
    return [...this.topics.keys()];
  }

  async consume<T>(options: ConsumeOptions<T>): Promise<RunningConsumer> {
    // Kafka would split the partitions among a group's members; dev mode runs one member per group.
    if (this.consuming.has(options.groupId)) throw new Error(`consumer group ${options.groupId} already has a member in this process`);
    this.consuming.add(options.groupId);
    const logger = options.logger ?? this.logger.child({ group: options.groupId });
    const offsets = this.offsets.get(options.groupId) ?? new Map<string, number>();
    this.offsets.set(options.groupId, offsets);
    this.groupTopics.set(options.groupId, [...options.topics]);
    const stopping = new AbortController();
    const process = messageProcessor(options, logger, stopping.signal);
    const loops: Promise<void>[] = [];
    const counted = { handled: 0 };
    for (const name of options.topics) {
      const topic = this.topic(name);
      for (const [index, partition] of topic.partitions.entries()) {
        const key = `${name}/${index}`;
        if (!offsets.has(key)) offsets.set(key, options.fromBeginning === false ? end(partition) : partition.first);
        loops.push(this.follow(name, index, partition, offsets, key, process, stopping.signal, logger, counted));
      }
    }
    const consumer: RunningConsumer = {
      groupId: options.groupId,
      progress: async () => {
        let lag = 0;
        for (const name of options.topics) for (const [index, partition] of this.topic(name).partitions.entries()) lag += end(partition) - (offsets.get(`${name}/${index}`) ?? 0);
        return { lag, handled: counted.handled };
      },
      stop: async () => {
        stopping.abort();
        for (const topic of this.topics.values()) for (const partition of topic.partitions) this.wake(partition);
        await Promise.all(loops);
        this.running.delete(consumer);
        this.consuming.delete(options.groupId);
      },
    };
    this.running.add(consumer);
    return consumer;
  }

  async close(): Promise<void> {
    await Promise.all([...this.running].map((consumer) => consumer.stop()));
  }

  /**
   * Says that every consumer group of the process has started. Until then no position is settled:
   * a group yet to start has handled nothing.
   */
  allGroupsStarted(): void {
    this.everyGroupStarted = true;
    this.settleMarks();
  }

  /** Resolves once every group has handled (or dead-lettered) every message published so far. */
  private handledSoFar(): Promise<void> {
    const published = new Map<string, number[]>();
    for (const [name, topic] of this.topics) published.set(name, topic.partitions.map(end));
    return new Promise((settle) => {
      this.marks.push({ published, settle });
      this.settleMarks();
    });
  }

  /**
   * Checkpoints for the relay that keep a position in `durable` only once every group has handled
   * everything published before it was offered, so a restart publishes again all that some group
   * had not handled, and no more. `save` does not wait for that: the relay goes on meanwhile.
   */
  settledCheckpoints(durable: CheckpointStore, onError: (error: unknown) => void = () => undefined): CheckpointStore {
    const kept = new Map<string, GlobalPosition>();
    let saving = Promise.resolve();
    return {
      load: (subscriptionId) => durable.load(subscriptionId),
      save: async (subscriptionId, position) => {
        const handled = this.handledSoFar();
        saving = saving
          .then(() => handled)
          .then(async () => {
            const last = kept.get(subscriptionId);
            if (last !== undefined && comparePositions(last, position) >= 0) return;
            await durable.save(subscriptionId, position);
            kept.set(subscriptionId, position);
          })
          // A position not kept is kept with the next one; meanwhile a restart publishes a little more.
          .catch(onError);
      },
    };
  }

  private settleMarks(): void {
    if (!this.everyGroupStarted) return;
    while (this.marks.length > 0 && this.handledEverywhere(this.marks[0]!.published)) this.marks.shift()!.settle();
  }

  /**
   * Drops the messages of a partition that every group consuming its topic has handled, in
   * chunks, once every group has started: a long dev session does not keep its whole log in memory.
   */
  private letGo(topic: string, index: number, partition: Partition): void {
    if (!this.everyGroupStarted) return;
    const handled = this.handledThrough(topic, index);
    if (handled === undefined || handled - partition.first < letGoChunk) return;
    partition.messages = partition.messages.slice(handled - partition.first);
    partition.first = handled;
  }

  /** Whether every group has handled every message of these partition ends; a topic no group consumes counts as handled. */
  private handledEverywhere(published: Map<string, number[]>): boolean {
    for (const [topic, ends] of published) {
      if (!ends.every((length, index) => (this.handledThrough(topic, index) ?? length) >= length)) return false;
    }
    return true;
  }

  /** The offset up to which every group consuming the topic (started or stopped) has handled the partition; undefined when none consumes it. */
  private handledThrough(topic: string, index: number): number | undefined {
    let handled: number | undefined;
    for (const [group, topics] of this.groupTopics) {
      if (!topics.includes(topic)) continue;
      const offset = this.offsets.get(group)!.get(`${topic}/${index}`) ?? 0;
      handled = handled === undefined ? offset : Math.min(handled, offset);
    }
    return handled;
  }

  private topic(name: string, partitions = defaultPartitions): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = { partitions: Array.from({ length: partitions }, () => ({ messages: [], first: 0, waiters: new Set() })) };
      this.topics.set(name, topic);
    }
    return topic;
  }

  private async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    const timestamp = String(Date.now());
    for (const message of messages) {
      const topic = this.topic(message.topic);
      const partition = topic.partitions[partitionOf(message.key, topic.partitions.length)]!;
      const headers: Record<string, Buffer> = {};
      for (const [name, value] of Object.entries({ ...message.headers, ...traceHeaders(message.traceparent) })) headers[name] = Buffer.isBuffer(value) ? value : Buffer.from(value);
      partition.messages.push({
        key: Buffer.from(message.key),
        value: Buffer.isBuffer(message.value) ? message.value : Buffer.from(message.value),
        headers,
        offset: String(end(partition)),
        timestamp,
        attributes: 0,
      } satisfies KafkaMessage);
      this.wake(partition);
    }
  }

  private wake(partition: Partition): void {
    const waiters = partition.waiters;
    partition.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** One group's loop over one partition: each message in order, the next only once it is handled or dead-lettered. */
  private async follow(
    topic: string,
    index: number,
    partition: Partition,
    offsets: Map<string, number>,
    key: string,
    process: ReturnType<typeof messageProcessor<unknown>>,
    stopping: AbortSignal,
    logger: Logger,
    counted: { handled: number },
  ): Promise<void> {
    while (!stopping.aborted) {
      const offset = offsets.get(key)!;
      const message = partition.messages[offset - partition.first];
      if (message === undefined) {
        await new Promise<void>((resolve) => partition.waiters.add(resolve));
        continue;
      }
      try {
        await process(topic, index, message, async () => undefined, 60_000);
        offsets.set(key, offset + 1);
        counted.handled++;
        if (this.marks.length > 0) this.settleMarks();
        this.letGo(topic, index, partition);
      } catch (error) {
        if (error instanceof Stopping) return;
        // Dead-lettering itself failed: the message is handed out again, as Kafka would.
        logger.warn({ topic, partition: index, offset, err: error }, 'message could not be handled or dead-lettered; trying again');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }
}

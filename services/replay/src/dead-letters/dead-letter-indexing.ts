import type { TopicNames } from '@agent-orchestrator/contracts';
import type { Broker, MessageSender, RunningConsumer } from '@agent-orchestrator/messaging';
import type { DeadLetterIndex } from '@agent-orchestrator/read-models';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { deadLetterEntry } from './dead-letter-entry.js';

/** The index's own group; its dead letters are not indexed (see deadLetterTopics). */
export const deadLetterIndexGroup = 'replay.dead-letters';

export interface DeadLetterIndexingOptions {
  readonly broker: Broker;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  readonly index: DeadLetterIndex;
  readonly logger: Logger;
  /** How often the topics are listed again for new dead-letter topics (default 30 s). */
  readonly rescanMs?: number;
}

export interface DeadLetterIndexing {
  /** The dead-letter topics consumed now. */
  topics(): readonly string[];
  /** Lists the topics now and consumes the new ones; what the timer does every `rescanMs`. */
  rescan(): Promise<void>;
  /** The consumer in hand, for readiness; undefined while no dead-letter topic exists. */
  consumer(): RunningConsumer | undefined;
  stop(): Promise<void>;
}

/**
 * The deployment's dead-letter topics: every `<prefix>dlq.*`, but the index's own. The index's
 * own failures (its database down past the retries) would otherwise come back to it and fail again.
 */
export function deadLetterTopics(all: readonly string[], topics: TopicNames): string[] {
  const own = topics.deadLetters(deadLetterIndexGroup);
  return all.filter((name) => name.startsWith(`${topics.prefix}dlq.`) && name !== own).sort();
}

/**
 * Indexes every dead-letter topic of the deployment into `dead_letters`. A pattern subscription
 * is resolved only when a consumer subscribes (kafkajs), so the topics are listed at start and
 * every `rescanMs`, and the group consumes again with the new list when one appears: it resumes
 * from its committed offsets, and a new topic from its start. Upserts are idempotent by the dead
 * letter's place, so what is redelivered after a rebalance or a crash is one row still.
 */
export async function startDeadLetterIndexing(options: DeadLetterIndexingOptions): Promise<DeadLetterIndexing> {
  const { broker, producer, topics, index, logger } = options;
  const groupId = topics.consumerGroup(deadLetterIndexGroup);
  let consuming: readonly string[] = [];
  let consumer: RunningConsumer | undefined;
  let stopped = false;
  // Rescans run one at a time: the timer's and a caller's never restart the consumer together.
  let turn: Promise<void> = Promise.resolve();

  const consume = (names: readonly string[]) =>
    broker.consume<KafkaMessage>({
      groupId,
      topics: names,
      decode: (message) => message,
      handle: async ({ topic, partition, offset, value }) => {
        await index.upsert(deadLetterEntry({ topic, partition, offset }, value, topics.prefix));
      },
      deadLetters: { producer, topic: topics.deadLetters(deadLetterIndexGroup) },
      partitionsConsumedConcurrently: 1,
      sessionTimeoutMs: 10_000,
      logger,
    });

  const rescanNow = async () => {
    if (stopped) return;
    const found = deadLetterTopics(await broker.listTopics(), topics);
    if (found.length === consuming.length && found.every((name, i) => name === consuming[i])) return;
    logger.info({ topics: found.filter((name) => !consuming.includes(name)) }, 'indexing new dead-letter topics');
    const previous = consumer;
    consumer = undefined;
    await previous?.stop();
    consumer = found.length === 0 ? undefined : await consume(found);
    consuming = found;
  };
  const rescan = () => {
    // A failed rescan does not stop the next one: it lists again and finds what it missed.
    turn = turn.catch(() => undefined).then(rescanNow);
    return turn;
  };

  await broker.ensureTopics([{ name: topics.deadLetters(deadLetterIndexGroup), partitions: 1 }]);
  await rescan();
  const timer = setInterval(() => {
    rescan().catch((error: unknown) => {
      logger.warn({ err: error }, 'listing the dead-letter topics failed; trying again at the next rescan');
    });
  }, options.rescanMs ?? 30_000);
  timer.unref();

  return {
    topics: () => consuming,
    rescan,
    consumer: () => consumer,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await turn.catch(() => undefined);
      await consumer?.stop();
    },
  };
}

import { messageHeaders } from '@agent-orchestrator/contracts';
import type { Context } from '@opentelemetry/api';
import { inConsumerSpan } from '@agent-orchestrator/tracing';
import type { Admin, Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import pRetry, { AbortError } from 'p-retry';
import type { Logger } from 'pino';
import type { Decoder } from './codec.js';
import { describeError, errorCode, isRetryable } from './errors.js';
import { defaultLogger } from './kafka.js';
import type { MessageSender } from './producer.js';
import { extractTraceContext, headerValue } from './trace-context.js';

export interface ConsumedMessage<T> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly headers: IHeaders;
  readonly value: T;
  readonly traceparent: string | undefined;
  /**
   * The OpenTelemetry context extracted from the message's W3C headers. The handler also runs
   * inside it (context.active()) when the process registered a context manager, as the SDK does.
   */
  readonly traceContext: Context;
}

export interface RetryPolicy {
  /** Attempts after the first, for retryable failures. */
  readonly retries: number;
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
}

export interface ConsumerOptions<T> {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly decode: Decoder<T>;
  /**
   * Handles one message. Resolving means its effects are durable: only then can the offset be
   * committed. Throw an error with `retryable: false` to dead-letter at once.
   */
  readonly handle: (message: ConsumedMessage<NoInfer<T>>) => Promise<void>;
  readonly deadLetters: { readonly producer: MessageSender; readonly topic: string };
  readonly retry?: Partial<RetryPolicy>;
  /**
   * How many partitions are handled at once (default 3): the process joins the group as that many
   * members. Each partition's messages stay in order, and a slow one holds up only its member's.
   */
  readonly partitionsConsumedConcurrently?: number;
  /** Where a new consumer group starts: the oldest message (default) or only new ones. */
  readonly fromBeginning?: boolean;
  /**
   * How long the group waits for a silent member before handing its partitions to others: a
   * crashed process holds its partitions this long. Kafka's default is 30 s; brokers allow 6 s up.
   */
  readonly sessionTimeoutMs?: number;
  readonly logger?: Logger;
}

/** Where a consumer group stands, for readiness. */
export interface ConsumerProgress {
  /** Messages of the group's partitions not yet committed (Kafka) or handled (in process), summed. */
  readonly lag: number;
  /** Messages this process has handled (or dead-lettered): changes while it advances. */
  readonly handled: number;
}

export interface RunningConsumer {
  readonly groupId: string;
  progress(): Promise<ConsumerProgress>;
  /** Finishes the message in hand, commits what was handled, and leaves the group. */
  stop(): Promise<void>;
}

const defaultRetry: RetryPolicy = { retries: 5, minTimeoutMs: 100, maxTimeoutMs: 5_000 };

/** The consumer stopped while a message was being handled; it is handed out again later. */
export class Stopping extends Error {}

/** Carries a retryable handler failure through p-retry; unwrapped again before dead-lettering. */
class RetryableFailure extends Error {
  constructor(readonly failure: unknown) {
    super(describeError(failure));
  }
}

/**
 * Handles one consumed message the way every transport must: decode (failure: dead letter at
 * once), handle inside the message's trace context with retries and jittered backoff for
 * retryable failures, and dead-letter with the reason what cannot be handled. A redriven message
 * whose `redrive-group` names another group is passed over (moved past, not handled). Resolves once the
 * handler's work or the dead letter is durable, so the caller may move past the message; rejects
 * with Stopping when `stopping` aborted it part-way.
 */
export function messageProcessor<T>(
  options: Omit<ConsumerOptions<T>, 'kafka'>,
  logger: Logger,
  stopping: AbortSignal,
): (topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>, heartbeatInterval: number) => Promise<void> {
  const retry = { ...defaultRetry, ...options.retry };
  const deadLetter = async (topic: string, partition: number, message: KafkaMessage, error: unknown, attempts: number) => {
    const reason = describeError(error);
    // The dead letter keeps what it was redriven from, but is for whoever reads the dead letters.
    const { [messageHeaders.redriveGroup]: _redriveGroup, ...kept } = stringHeaders(message.headers);
    logger.warn({ topic, partition, offset: message.offset, reason, attempts }, 'dead-lettering a message');
    await options.deadLetters.producer.send([
      {
        topic: options.deadLetters.topic,
        key: message.key?.toString('utf8') ?? '',
        value: message.value ?? Buffer.alloc(0),
        traceparent: headerValue(message.headers, messageHeaders.traceparent) ?? null,
        headers: {
          ...kept,
          [messageHeaders.dlqReason]: reason.slice(0, 4000),
          [messageHeaders.dlqErrorCode]: errorCode(error),
          [messageHeaders.dlqSourceTopic]: topic,
          [messageHeaders.dlqSourcePartition]: String(partition),
          [messageHeaders.dlqSourceOffset]: message.offset,
          [messageHeaders.dlqConsumerGroup]: options.groupId,
          [messageHeaders.dlqAttempts]: String(attempts),
          [messageHeaders.dlqFailedAt]: new Date().toISOString(),
        },
      },
    ]);
  };

  return async (topic, partition, message, heartbeat, heartbeatInterval) => {
    // A redrive is for the group that failed the message: every other group handled it already.
    const redriveGroup = headerValue(message.headers, messageHeaders.redriveGroup);
    if (redriveGroup !== undefined && redriveGroup !== options.groupId) return;
    let value: T;
    try {
      value = options.decode(message);
    } catch (error) {
      await deadLetter(topic, partition, message, error, 0);
      return;
    }
    const traceContext = extractTraceContext(message.headers);
    const consumed: ConsumedMessage<T> = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      headers: message.headers ?? {},
      value,
      traceparent: headerValue(message.headers, messageHeaders.traceparent),
      traceContext,
    };
    let attempts = 0;
    let handled = false;
    try {
      await pRetry(
        async () => {
          attempts++;
          // A handler may take minutes (a model call): the member goes on heartbeating meanwhile,
          // or the coordinator would drop it and stall the whole group in a rebalance.
          const beating = setInterval(() => void heartbeat().catch(() => undefined), heartbeatInterval);
          try {
            await inConsumerSpan(`process ${topic}`, traceContext, { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.consumer.group.name': options.groupId, 'messaging.kafka.offset': message.offset, 'messaging.kafka.message.key': consumed.key ?? '' }, () => options.handle(consumed));
            handled = true;
          } catch (error) {
            if (!isRetryable(error)) throw new AbortError(error as Error);
            throw new RetryableFailure(error);
          } finally {
            clearInterval(beating);
          }
        },
        {
          retries: retry.retries,
          minTimeout: retry.minTimeoutMs,
          maxTimeout: retry.maxTimeoutMs,
          randomize: true,
          signal: stopping,
          onFailedAttempt: async ({ error, attemptNumber }) => {
            logger.warn({ topic, partition, offset: message.offset, attempt: attemptNumber, reason: describeError(error) }, 'handler failed; retrying');
            await heartbeat();
          },
        },
      );
    } catch (error) {
      // p-retry reports a stop even after the attempt succeeded: the work is done, so move on.
      if (handled) return;
      if (stopping.aborted) throw new Stopping();
      const failure = error instanceof RetryableFailure ? error.failure : error;
      await deadLetter(topic, partition, message, failure, attempts);
    }
  };
}

/**
 * The one consumer loop every service uses. Per partition, messages are handled one at a time in
 * offset order. A message is decoded (failure: dead letter at once), handled with retries and
 * jittered backoff for retryable failures, and dead-lettered with the reason when it cannot be
 * handled; either way the offset moves on only after the handler's work or the dead letter is
 * durable. Offsets are committed after each batch, so a crash redelivers at most the batch in
 * hand and any commit still in flight: handlers must be idempotent (see ProcessedMessages).
 */
export async function startConsumer<T>(options: ConsumerOptions<T>): Promise<RunningConsumer> {
  const logger = options.logger ?? defaultLogger(`consumer:${options.groupId}`);
  const stopping = new AbortController();
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const heartbeatInterval = Math.max(500, Math.floor(sessionTimeout / 10));
  const handleMessage = messageProcessor(options, logger, stopping.signal);
  const process = (topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>) => handleMessage(topic, partition, message, heartbeat, heartbeatInterval);
  let handled = 0;
  // Connected on the first readiness question, not before: most processes are never asked.
  let admin: Promise<Admin> | undefined;

  /**
   * One member of the group with its own fetch loop. kafkajs fetches again only once every batch
   * of its last fetch is handled, so within one member a slow handler (a model call of a minute)
   * holds up every partition the member has. The process therefore joins the group as several
   * members, one per partition it handles at once: a slow partition holds up only its member's.
   */
  const startMember = async (): Promise<{ stop(): Promise<void> }> => {
    const consumer: Consumer = options.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout,
      heartbeatInterval,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });

    // Commits go out in order on one chain, off the fetch path: the next batch need not wait for
    // the coordinator. A commit that fails only means a redelivery, which handlers absorb.
    let commits: Promise<void> = Promise.resolve();
    const commit = (topic: string, partition: number, offset: string) => {
      commits = commits
        .then(() => consumer.commitOffsets([{ topic, partition, offset }]))
        .catch((error: unknown) => logger.warn({ topic, partition, offset, reason: describeError(error) }, 'offset commit failed; the messages will be redelivered'));
    };

    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        let next: string | undefined;
        try {
          for (const message of batch.messages) {
            if (!isRunning() || isStale() || stopping.signal.aborted) break;
            await process(batch.topic, batch.partition, message, heartbeat);
            handled++;
            resolveOffset(message.offset);
            next = (BigInt(message.offset) + 1n).toString();
          }
        } catch (error) {
          if (!(error instanceof Stopping)) throw error;
        } finally {
          // Whatever was handled is durable: commit it, even when the batch stops part-way.
          if (next !== undefined && !isStale()) commit(batch.topic, batch.partition, next);
        }
      },
    });

    return {
      async stop() {
        await consumer.stop();
        await commits;
        await consumer.disconnect();
      },
    };
  };

  // Together, so the members join in one rebalance rather than one each.
  const started = await Promise.allSettled(Array.from({ length: options.partitionsConsumedConcurrently ?? 3 }, () => startMember()));
  const members = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    stopping.abort();
    await Promise.allSettled(members.map((member) => member.stop()));
    throw failed.reason;
  }

  return {
    groupId: options.groupId,
    async progress() {
      admin ??= (async () => {
        const connecting = options.kafka.admin();
        await connecting.connect();
        return connecting;
      })();
      return { lag: await groupLag(await admin, options.groupId, options.topics), handled };
    },
    async stop() {
      stopping.abort();
      await Promise.all(members.map((member) => member.stop()));
      await admin?.then((connected) => connected.disconnect()).catch(() => undefined);
    },
  };
}

/** Per partition, the end of the log less the group's committed offset (its start when none is committed), summed. */
async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  let lag = 0;
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const offsets = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
    for (const end of ends) {
      const offset = Number(offsets.find((entry) => entry.partition === end.partition)?.offset ?? -1);
      lag += Math.max(0, Number(end.high) - (offset >= 0 ? offset : Number(end.low)));
    }
  }
  return lag;
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first;
  }
  return out;
}

import type { CommandTarget } from '@agent-orchestrator/contracts';
import { jsonDecoder, type ConsumedMessage } from '@agent-orchestrator/messaging';
import type { z } from 'zod';
import { reportConsumer, type Platform } from './platform.js';

/**
 * Consumes a service's `commands.<service>` topic in the group `<service>.commands`: each message
 * decoded by the schema (one that fails goes to the group's dead-letter topic with the reason),
 * handled, and committed after the handler's writes are durable. `group` names another group, for a
 * second process that must see every command of the topic (each projection host sees every
 * projection command and acts on those of the projections it hosts).
 */
export async function startCommandConsumer<Message>(
  platform: Platform,
  target: CommandTarget,
  schema: z.ZodType<Message>,
  handle: (message: ConsumedMessage<Message>) => Promise<void>,
  options: { readonly partitionsConsumedConcurrently?: number; readonly group?: string } = {},
): Promise<{ stop(): Promise<void> }> {
  const { broker, producer, topics, logger } = platform;
  const group = options.group ?? `${target}.commands`;
  await broker.ensureTopics([{ name: topics.deadLetters(group), partitions: 1 }]);
  const groupId = topics.consumerGroup(group);
  const consumer = await broker.consume<Message>({
    groupId,
    topics: [topics.commands(target)],
    decode: jsonDecoder(schema),
    handle,
    deadLetters: { producer, topic: topics.deadLetters(group) },
    ...(options.partitionsConsumedConcurrently === undefined ? {} : { partitionsConsumedConcurrently: options.partitionsConsumedConcurrently }),
    sessionTimeoutMs: 10_000,
    logger,
  });
  const unregister = reportConsumer(platform, groupId, () => consumer);
  return {
    async stop() {
      unregister();
      await consumer.stop();
    },
  };
}

/**
 * Runs `sweep` every `intervalMs`, one run at a time (a slow run delays the next, never overlaps
 * it); a failed run is logged and the next one tries again. stop() waits for the run under way.
 */
export function startSweep(platform: Pick<Platform, 'logger'>, what: string, intervalMs: number, sweep: () => Promise<void>): { stop(): Promise<void> } {
  let sweeping: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    sweeping = sweeping.then(sweep).catch((error: unknown) => platform.logger.warn({ err: error }, `${what} failed; the next one tries again`));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await sweeping;
    },
  };
}

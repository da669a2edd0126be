import { DeadLetterIndex, DeadLetterQueries } from '@agent-orchestrator/read-models';
import type { Platform } from '@agent-orchestrator/service-host';
import { startDeadLetterIndexing } from './dead-letter-indexing.js';
import { DeadLetterSource } from './dead-letter-source.js';

/**
 * The replay service's dead letters: the index of every dead-letter topic (its table made if
 * missing, its consumer reported to /readyz) and the item source operations redrive and discard through.
 */
export async function startDeadLetters(platform: Platform, options: { readonly maxRedrives: number; readonly rescanMs?: number }): Promise<{ readonly source: DeadLetterSource; stop(): Promise<void> }> {
  const { broker, producer, topics, logger } = platform;
  const index = new DeadLetterIndex(platform.pool, platform.config.readModelSchema, platform.appRole.name);
  await index.setUp();
  const queries = new DeadLetterQueries(platform, platform.config.readModelSchema);
  const indexing = await startDeadLetterIndexing({ broker, producer, topics, index, logger, ...(options.rescanMs === undefined ? {} : { rescanMs: options.rescanMs }) });
  const unregister = platform.readiness.register(topics.consumerGroup('replay.dead-letters'), 'consumer', async () => {
    const consumer = indexing.consumer();
    if (!consumer) return { lag: 0, position: 0 };
    const { lag, handled } = await consumer.progress();
    return { lag, position: handled };
  });
  return {
    source: new DeadLetterSource({ queries, index, producer, topics, maxRedrives: options.maxRedrives }),
    async stop() {
      unregister();
      await indexing.stop();
    },
  };
}

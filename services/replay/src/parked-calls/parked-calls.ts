import { DeadLetterIndex, DeadLetterQueries } from '@agent-orchestrator/read-models';
import type { Platform } from '@agent-orchestrator/service-host';
import { startParkedCallIndexing } from './parked-call-indexing.js';
import { ParkedCallSource } from './parked-call-source.js';

/**
 * Parked tool calls in the replay service: their rows in the dead-letter index, kept by a consumer
 * of `events.toolcall`, and the `parked-call` item source that redrives or discards them.
 */
export async function startParkedCalls(platform: Platform, options: { readonly answerWithinMs?: number } = {}): Promise<{ source: ParkedCallSource; stop(): Promise<void> }> {
  const { pool, store, broker, producer, topics, logger } = platform;
  const schema = platform.config.readModelSchema;
  const index = new DeadLetterIndex(pool, schema, platform.appRole.name);
  await index.setUp();
  const indexing = await startParkedCallIndexing({ broker, producer, topics, index, logger });
  const unreport = platform.readiness.register(indexing.groupId, 'consumer', async () => {
    const { lag, handled } = await indexing.progress();
    return { lag, position: handled };
  });
  const queries = new DeadLetterQueries(platform, schema);
  return {
    source: new ParkedCallSource({ queries, index, store, producer, topics, ...(options.answerWithinMs === undefined ? {} : { answerWithinMs: options.answerWithinMs }) }),
    async stop() {
      unreport();
      await indexing.stop();
    },
  };
}

import { comparePositions } from '@agent-orchestrator/contracts';
import type { Platform } from '@agent-orchestrator/service-host';
import type { TreeBuilder } from './tree-builder.js';

const subscriptionId = 'audit-tree';

/**
 * Wakes the builder when the log grows: a subscription to the whole log (which the store wakes
 * with its append notifications, and polls only as a fallback) hands each batch's last position
 * to the builder, which reads the log as stored up to there. The subscription's checkpoint is
 * the builder's own cursor, so a restart resumes where the last committed page ended. Readiness
 * reports how far the builder is behind the log's end.
 */
export function startTreeBuilding(platform: Pick<Platform, 'store' | 'readiness' | 'logger'>, builder: TreeBuilder): { stop(): Promise<void> } {
  const { store, readiness, logger } = platform;
  const subscription = store.subscribeToAll({
    subscriptionId,
    batchSize: 1000,
    checkpoints: { load: () => builder.cursor(), save: async () => undefined },
    handle: (events) => builder.catchUpTo(events.at(-1)?.globalPosition),
    onError: (error, attempt) => logger.warn({ err: error, attempt }, 'building the audit trees failed; the batch is tried again'),
  });
  const unregister = readiness.register(subscriptionId, 'projection', async () => {
    const [cursor, end] = await Promise.all([builder.cursor(), store.lastPosition()]);
    // Behind counts as one: the port has no cheap count of the events between two positions.
    return { lag: end !== undefined && (cursor === undefined || comparePositions(cursor, end) < 0) ? 1 : 0, position: cursor };
  });
  return {
    async stop() {
      unregister();
      await subscription.stop();
    },
  };
}

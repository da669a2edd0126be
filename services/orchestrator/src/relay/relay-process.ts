import { holdLeadership, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { startRelay } from '@agent-orchestrator/messaging';
import type { CheckpointStore, Subscription } from '@agent-orchestrator/event-store';
import { SessionSpanRecorder } from '@agent-orchestrator/tracing';
import type { RelayConfig } from './config.js';

/** The relay's subscription id: its checkpoint in the session log's schema. */
export const relaySubscriptionId = 'kafka-relay';

/** Counting lag reads events; past this many the figure only says "at least". */
const lagCountLimit = 1000;

/**
 * The outbox relay with the settings every host gives it: the store's durable checkpoint (or
 * `checkpoints`), failures logged and retried, and the spans of the sessions the published events
 * close exported (each relaying process keeps its own recorder).
 */
export function startPlatformRelay(platform: Platform, checkpoints?: CheckpointStore): Subscription {
  const { store, producer, topics, logger } = platform;
  return startRelay({
    store,
    producer,
    topics,
    subscriptionId: relaySubscriptionId,
    ...(checkpoints ? { checkpoints } : {}),
    onError: (error, attempt) => logger.warn({ err: error, attempt }, 'relay batch failed; retrying'),
    onRelayed: new SessionSpanRecorder().observe,
  });
}

/**
 * The relay process (cluster mode and deployments): one leader among any number of standbys,
 * elected by a PostgreSQL advisory lock named after the checkpoint it guards. Only the leader
 * relays; a standby takes over within about RELAY_LEADER_POLL_MS when the leader's session ends,
 * and a leader that cannot show it still holds the lock stops relaying within about
 * RELAY_HEARTBEAT_MS. The checkpoint is the same durable one in either role, so a new leader
 * carries on from where the last acknowledged batch left it (at-least-once, as always).
 * `/readyz` reports the role and the log's events after the checkpoint.
 */
export async function startRelayProcess(platform: Platform, config: RelayConfig): Promise<RunningService> {
  const { store, logger } = platform;
  const leadership = holdLeadership({
    connectionString: platform.config.databaseUrl,
    lockName: `${platform.config.eventStoreSchema}.${relaySubscriptionId}`,
    pollMs: config.leaderPollMs,
    heartbeatMs: config.heartbeatMs,
    logger,
    lead: async () => startPlatformRelay(platform),
  });
  const unregister = platform.readiness.register('relay', 'relay', async () => {
    const position = await store.checkpoints.load(relaySubscriptionId);
    const behind = await store.readAll({ ...(position === undefined ? {} : { after: position }), maxCount: lagCountLimit });
    return { lag: behind.length, position, role: leadership.role() };
  });
  return {
    async stop() {
      unregister();
      await leadership.stop();
    },
  };
}

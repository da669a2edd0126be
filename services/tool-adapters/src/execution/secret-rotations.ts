import { randomUUID } from 'node:crypto';
import { adminStream, eventCatalog } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { SecretSummary } from '@agent-orchestrator/secrets';
import type { Logger } from 'pino';

/**
 * Records a refresh token the platform wrote back to a secret as `SecretSet` on the tenant's admin
 * stream (name and version, never the value), with this service as the actor, so every version of
 * a secret has its event whoever set it. The secret is already written: a failure to record is
 * logged, not passed on, as the call that rotated it must still use the token it got.
 */
export function recordSecretRotation(store: EventStore, logger: Logger, now: () => Date = () => new Date()): (tenantId: string, set: SecretSummary) => Promise<void> {
  return async (tenantId, set) => {
    try {
      await store.append(adminStream(tenantId), [
        {
          eventId: randomUUID(),
          type: 'SecretSet',
          schemaVersion: eventCatalog.latestVersion('SecretSet'),
          tenantId,
          correlationId: randomUUID(),
          causationId: null,
          actor: { kind: 'service', id: 'tool-adapters' },
          occurredAt: now().toISOString(),
          traceparent: null,
          data: { name: set.name, version: set.version },
        },
      ]);
    } catch (error) {
      logger.warn({ tenantId, secret: set.name, version: set.version, error: (error as Error).message }, 'a rotated refresh token was stored, but its SecretSet event could not be recorded');
    }
  };
}

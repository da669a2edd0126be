import { randomBytes, randomUUID } from 'node:crypto';
import type { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { GatewayConfig } from '../config.js';
import { startGatewayOnLog, type GatewayUnderTest } from '../gateway-under-test.js';
import type { OidcConfig } from './oidc-config.js';

/** Where a sign-in spec runs: the gateway on a session log in a schema of its own, tenant acme's admin key and the platform admin's. */
export interface SignInFixture {
  readonly gateway: GatewayUnderTest;
  readonly store: PostgresEventStore;
  /** The bootstrap admin key of tenant `acme`. */
  readonly adminKey: string;
  readonly platformAdminKey: string;
  /** A session of `tenantId` with one event in the log, for the events route and the live WebSocket to read. */
  sessionOf(tenantId: string): Promise<string>;
  /** http://…/v1/sessions/<id>/live (the upgrade request's URL; `ws:` for a WebSocket client) */
  liveUrl(sessionId: string, query?: Record<string, string>): string;
  close(): Promise<void>;
}

export async function startSignInFixture(db: Parameters<typeof startGatewayOnLog>[0], oidc: OidcConfig, overrides: Partial<GatewayConfig> = {}): Promise<SignInFixture> {
  const adminKey = randomBytes(32).toString('base64url');
  const platformAdminKey = randomBytes(32).toString('base64url');
  const gateway = await startGatewayOnLog(db, { bootstrapAdminApiKey: adminKey, bootstrapTenant: 'acme', platformAdminApiKey: platformAdminKey, oidc, ...overrides });
  return {
    gateway,
    store: gateway.store,
    adminKey,
    platformAdminKey,
    async sessionOf(tenantId) {
      const sessionId = randomUUID();
      const event = { eventId: randomUUID(), type: 'PlanRequested', schemaVersion: 1, tenantId, correlationId: sessionId, causationId: null, actor: { kind: 'service' as const, id: 'spec' }, occurredAt: new Date().toISOString(), traceparent: null, data: { planner: 'Planner', attempt: 1 } };
      await gateway.store.append(`session-${sessionId}`, [event], { expectedVersion: 'no_stream' });
      return sessionId;
    },
    liveUrl: (sessionId, query = {}) => `${gateway.url}/v1/sessions/${sessionId}/live${Object.keys(query).length > 0 ? `?${new URLSearchParams(query)}` : ''}`,
    close: () => gateway.close(),
  };
}

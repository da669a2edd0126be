import { randomBytes, randomUUID } from 'node:crypto';
import { topicNames } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { ApprovalsProjection, openReadModels, SessionsProjection } from '@agent-orchestrator/read-models';
import type pg from 'pg';
import { pino } from 'pino';
import type { GatewayConfig } from '../config.js';
import { startGateway, type GatewayUnderTest } from '../gateway-under-test.js';
import type { OidcConfig } from './oidc-config.js';

/** Where a sign-in spec runs: a schema of its own, the session log, the read models, and the gateway on them. */
export interface SignInFixture {
  readonly gateway: GatewayUnderTest;
  readonly store: PostgresEventStore;
  /** The bootstrap admin key of tenant `acme`. */
  readonly adminKey: string;
  /** A session of `tenantId` with one event in the log, for the live WebSocket to send. */
  sessionOf(tenantId: string): Promise<string>;
  /** http://…/v1/sessions/<id>/live (the upgrade request's URL; `ws:` for a WebSocket client) */
  liveUrl(sessionId: string, query?: Record<string, string>): string;
  close(): Promise<void>;
}

/**
 * The gateway with its sessions backend on a fresh schema: PostgreSQL for real (keys, tickets,
 * role mappings, the session log, empty read models); commands go nowhere, as no service would
 * answer them.
 */
export async function startSignInFixture(db: { readonly connectionString: string; readonly schema: string; readonly pool: pg.Pool }, oidc: OidcConfig, overrides: Partial<GatewayConfig> = {}): Promise<SignInFixture> {
  const adminKey = randomBytes(32).toString('base64url');
  const store = await PostgresEventStore.open({ pool: db.pool, schema: `${db.schema}_events` });
  const readModels = await openReadModels({ url: db.connectionString, schema: `${db.schema}_read` });
  // The read models' tables, empty: no projection runs here, but the list routes read them.
  await new SessionsProjection(readModels.sessions).setUp(readModels.dataSource.manager);
  await new ApprovalsProjection(readModels.schema).setUp(readModels.dataSource.manager);
  const producer = { send: async () => undefined } as unknown as MessageProducer;
  const gateway = await startGateway(
    { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: adminKey, bootstrapTenant: 'acme', maxBodyBytes: 1024 * 1024, oidc, ...overrides },
    {
      logger: pino({ level: process.env.SPEC_LOG_LEVEL ?? 'silent' }),
      pool: db.pool,
      sessions: { store, producer, topics: topicNames(), queries: readModels.sessionQueries, modelCalls: readModels.modelCallQueries, approvals: readModels.approvalQueries },
    },
  );
  return {
    gateway,
    store,
    adminKey,
    async sessionOf(tenantId) {
      const sessionId = randomUUID();
      const event = { eventId: randomUUID(), type: 'PlanRequested', schemaVersion: 1, tenantId, correlationId: sessionId, causationId: null, actor: { kind: 'service' as const, id: 'spec' }, occurredAt: new Date().toISOString(), traceparent: null, data: { planner: 'Planner', attempt: 1 } };
      await store.append(`session-${sessionId}`, [event], { expectedVersion: 'no_stream' });
      return sessionId;
    },
    liveUrl: (sessionId, query = {}) => `${gateway.url}/v1/sessions/${sessionId}/live${Object.keys(query).length > 0 ? `?${new URLSearchParams(query)}` : ''}`,
    async close() {
      await gateway.close();
      await readModels.close();
      await store.close();
      await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_events" CASCADE; DROP SCHEMA IF EXISTS "${db.schema}_read" CASCADE`);
    },
  };
}

import type { TenantDatabase } from '@agent-orchestrator/postgres';
import { topicNames } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { openReadModels } from '@agent-orchestrator/read-models';
import type pg from 'pg';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino, type Logger } from 'pino';
import { checkedFetch } from './e2e/answer-check.js';
import { createGatewayApp, type GatewayDeps } from './app.js';
import type { GatewayConfig } from './config.js';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  readonly json: unknown;
}

export interface Call {
  /** Sent as `Authorization: Bearer <key>`, or as x-api-key when `keyHeader` says so. */
  readonly key?: string;
  readonly keyHeader?: 'bearer' | 'x-api-key';
  /** Serialised as JSON with content-type application/json. */
  readonly body?: unknown;
  /** Sent as is, with `headers` saying what it is. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface GatewayUnderTest {
  readonly app: NestFastifyApplication;
  readonly url: string;
  call(method: string, path: string, call?: Call): Promise<Answer>;
  close(): Promise<void>;
}

/** The text parsed as JSON, or undefined when it is empty or not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The gateway listening on a free port of 127.0.0.1, for specs that talk real HTTP to it. */
export async function startGateway(config: GatewayConfig, deps: GatewayDeps & { logger: Logger }): Promise<GatewayUnderTest> {
  const app = await createGatewayApp({ ...config, port: 0 }, deps);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return {
    app,
    url,
    async call(method, path, { key, keyHeader = 'bearer', body, rawBody, headers = {} } = {}) {
      const sent: Record<string, string> = {};
      if (key !== undefined) sent[keyHeader === 'bearer' ? 'authorization' : 'x-api-key'] = keyHeader === 'bearer' ? `Bearer ${key}` : key;
      if (body !== undefined) sent['content-type'] = 'application/json';
      const response = await checkedFetch(`${url}${path}`, {
        method,
        headers: { ...sent, ...headers },
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, json: parseJson(text) };
    },
    close: () => app.close(),
  };
}

/**
 * The gateway with a session log and read models in schemas beside `db.schema` (dropped by
 * `close`), messages to Kafka collected in `sent` instead of sent, and the admin log on that
 * session log as in production.
 */
export async function startGatewayOnLog(db: { readonly pool: pg.Pool; readonly schema: string; readonly connectionString: string; tenantDatabase(): Promise<TenantDatabase> }, config: Partial<GatewayConfig> = {}): Promise<GatewayUnderTest & { readonly store: PostgresEventStore; readonly sent: unknown[] }> {
  const store = await PostgresEventStore.open({ pool: db.pool, schema: `${db.schema}_events` });
  const sent: unknown[] = [];
  const producer = { send: async (message: unknown) => void sent.push(message) } as unknown as MessageProducer;
  const readModels = await openReadModels({ url: db.connectionString, schema: `${db.schema}_read` });
  const { sessionQueries: queries, modelCallQueries: modelCalls, approvalQueries: approvals, parkedCallQueries: parkedCalls } = readModels;
  const gateway = await startGateway(
    { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: undefined, bootstrapTenant: 'demo', maxBodyBytes: 1024 * 1024, ...config },
    { logger: pino({ level: 'silent' }), database: await db.tenantDatabase(), adminLogStore: store, sessions: { store, producer, topics: topicNames(), queries, modelCalls, approvals, parkedCalls } },
  );
  return {
    ...gateway,
    store,
    sent,
    async close() {
      await gateway.close();
      await readModels.close();
      await store.close();
      await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_events" CASCADE; DROP SCHEMA IF EXISTS "${db.schema}_read" CASCADE`);
    },
  };
}

import { AuditReadModel, migrateAuditStore } from '@agent-orchestrator/audit-store';
import { DashboardQueries, DeadLetterIndex, DeadLetterQueries, migrateOperationsTables, migrateUsageTables, OperationQueries, openReadModels, UsageQueries } from '@agent-orchestrator/read-models';
import { openSecretStore } from '@agent-orchestrator/secrets';
import type { Platform } from '@agent-orchestrator/service-host';
import { inTransaction } from '@agent-orchestrator/postgres';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { createGatewayApp } from './app.js';
import { Projections } from './projections/projections.js';
import { Alerts } from './alerts/alerts.js';
import type { GatewayConfig } from './config.js';

export interface RunningGateway {
  readonly app: NestFastifyApplication;
  /** Where it listens, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  stop(): Promise<void>;
}

/** The gateway on a platform's connections: REST, the live WebSocket and the docs, listening on `config.port`. */
export async function startGateway(platform: Platform, config: GatewayConfig, logger: Logger, host = '0.0.0.0'): Promise<RunningGateway> {
  // The read models as the application role: every tenant's read runs in its tenant scope.
  const readModels = await openReadModels({ url: platform.config.databaseUrl, schema: platform.config.readModelSchema, asAppRole: platform.appRole });
  try {
    const { store, producer, topics } = platform;
    const secrets = (await openSecretStore(config.secrets ?? { backend: 'none' }, platform, logger)) ?? null;
    // The audit service writes these tables; the gateway makes sure they exist (the migration is
    // idempotent and safe beside the service's) and reads them as the application role.
    await migrateAuditStore(platform.pool, { schema: platform.config.readModelSchema, appRole: platform.appRole.name });
    const audit = AuditReadModel.open({ pool: platform.tenantPool, schema: platform.config.readModelSchema });
    // The replay service writes the dead-letter index; the gateway makes sure it exists, as for the audit tables.
    await new DeadLetterIndex(platform.pool, platform.config.readModelSchema, platform.appRole.name).setUp();
    // The replay service keeps these; the gateway makes sure they exist, as for the audit tables.
    await inTransaction(platform.pool, (client) => migrateOperationsTables(client, platform.config.readModelSchema, platform.appRole.name));
    // The observability service keeps these; the gateway makes sure they exist, as for the audit tables.
    await inTransaction(platform.pool, (client) => migrateUsageTables(client, platform.config.readModelSchema, platform.appRole.name));
    const usageQueries = new UsageQueries(platform, platform.config.readModelSchema);
    const app = await createGatewayApp(config, {
      logger,
      database: platform,
      sessions: { store, producer, topics, queries: readModels.sessionQueries, modelCalls: readModels.modelCallQueries, approvals: readModels.approvalQueries, parkedCalls: readModels.parkedCallQueries },
      secrets,
      audit,
      operations: new OperationQueries(platform.config.readModelSchema),
      readiness: platform.readiness,
      adminLogStore: store,
      deadLetters: new DeadLetterQueries(platform, platform.config.readModelSchema),
      usage: { queries: usageQueries, dashboard: new DashboardQueries(usageQueries) },
      alerts: new Alerts(platform.tenantPool, platform.config.readModelSchema),
      projections: new Projections(platform.tenantPool, platform.config.readModelSchema, { stallAfterMs: platform.config.readinessStallMs, heartbeatStaleAfterMs: platform.config.readinessStallMs }),
    });
    await app.listen(config.port, host);
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
    return {
      app,
      url,
      async stop() {
        await app.close();
        await readModels.close();
      },
    };
  } catch (error) {
    await readModels.close();
    throw error;
  }
}

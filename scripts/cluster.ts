/**
 * npm run cluster [-- options]
 *
 * Cluster mode: every service its own process on real Kafka and PostgreSQL. Kafka is
 * KAFKA_BROKERS when set, else a single-node broker from Maven Central jars that lives as long as
 * this command (data in .data/cluster-kafka). PostgreSQL is DATABASE_URL, else the server on
 * 127.0.0.1:5432. Ctrl-C stops every service (each finishes the message in hand) and the broker.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterServices, startCluster } from '@agent-orchestrator/cluster';
import { startLocalKafka, type LocalKafka } from '@agent-orchestrator/local-kafka';
import { Command } from 'commander';
import { buildConsole } from '../apps/console/build.js';

const program = new Command()
  .name('npm run cluster --')
  .option('--database-url <url>', 'PostgreSQL for the session log and read models', process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
  .option('--kafka-brokers <list>', 'host:port,... of a running Kafka (default: KAFKA_BROKERS, else a local broker for this run)', process.env.KAFKA_BROKERS)
  .option('--port <port>', 'gateway port', (v) => Number.parseInt(v, 10), Number(process.env.GATEWAY_PORT ?? 3000))
  .option('--tenant <tenant>', 'tenant of the bootstrap admin key', process.env.BOOTSTRAP_TENANT ?? 'demo')
  .option('--verbose', 'print every service log line, not only warnings and errors')
  .parse();

const options = program.opts<{ databaseUrl: string; kafkaBrokers?: string; port: number; tenant: string; verbose?: boolean }>();
const root = process.cwd();
const apiKey = process.env.BOOTSTRAP_ADMIN_API_KEY ?? randomBytes(32).toString('base64url');
const platformAdminKey = process.env.PLATFORM_ADMIN_API_KEY ?? randomBytes(32).toString('base64url');

/**
 * The key that seals tool credentials at rest: SECRETS_KEY when set, else one made on the first
 * run and kept (readable by the owner only) in .data/secrets.key, so secrets set in one run open
 * in the next. A deployment sets SECRETS_KEY from its own secret manager, or uses Vault.
 */
function secretsKey(): string | undefined {
  if (process.env.SECRETS_KEY || process.env.SECRETS_BACKEND === 'vault') return undefined;
  const file = join(root, '.data', 'secrets.key');
  if (!existsSync(file)) {
    mkdirSync(join(root, '.data'), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}
const localSecretsKey = secretsKey();

// The gateway serves the web console at `/`: built when its sources changed.
if (!process.env.CONSOLE_DIR) await buildConsole();

let kafka: LocalKafka | undefined;
let brokers = options.kafkaBrokers?.split(',');
if (!brokers) {
  console.log('Starting Kafka from Maven Central jars (first run fetches them) ...');
  kafka = await startLocalKafka({ dataDir: join(root, '.data', 'cluster-kafka'), port: 0 });
  brokers = kafka.brokers;
}

const cluster = await startCluster({
  root,
  databaseUrl: options.databaseUrl,
  kafkaBrokers: brokers,
  bootstrapAdminApiKey: apiKey,
  bootstrapTenant: options.tenant,
  platformAdminApiKey: platformAdminKey,
  gatewayPort: options.port,
  ...(localSecretsKey ? { env: { SECRETS_KEY: localSecretsKey } } : {}),
  onOutput: (service, line) => {
    if (options.verbose || /"level":(40|50|60)/.test(line) || !line.startsWith('{')) console.log(`${service.padEnd(13)} ${line}`);
  },
}).catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await kafka?.stop();
  process.exit(1);
});

console.log(`
Cluster running: ${clusterServices.map((service) => (cluster.replicas(service) > 1 ? `${service} ×${cluster.replicas(service)}` : service)).join(', ')} (Kafka ${brokers.join(',')}).
  Console:  ${cluster.gatewayUrl}/
  API:      ${cluster.gatewayUrl}/v1   (OpenAPI at ${cluster.gatewayUrl}/docs)
  API key:  ${apiKey}   (tenant ${options.tenant}; set BOOTSTRAP_ADMIN_API_KEY to choose it)
  Platform admin key: ${platformAdminKey}   (manages tenants at /v1/tenants; set PLATFORM_ADMIN_API_KEY to choose it)

  curl -s ${cluster.gatewayUrl}/v1/sessions -H "authorization: Bearer ${apiKey}" -H 'content-type: application/json' \\
       -d '{"goal": "Summarise open invoices", "context": {"modelFixture": "three-steps-rework-once"}}'

Ctrl-C stops it.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the services ...');
  await cluster.stop();
  await kafka?.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

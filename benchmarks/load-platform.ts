import { randomBytes } from 'node:crypto';
import { startCluster, type ClusterService } from '@agent-orchestrator/cluster';
import { createTestDatabase, startDevModeProcess, uniqueTopicPrefix } from '@agent-orchestrator/testing';
import { ensureTestKafka } from '@agent-orchestrator/testing/kafka-for-tests';
import { ensureTestPostgres } from '@agent-orchestrator/testing/postgres-for-tests';

export type LoadMode = 'cluster' | 'dev';

export interface RunningPlatform {
  readonly url: string;
  /** The database it runs on (its own, dropped at stop). */
  readonly databaseUrl: string;
  /** The tenant's admin key the platform was started with. */
  readonly adminKey: string;
  /** Every line the platform's processes printed so far, as [process, line]. */
  output(): (readonly [string, string])[];
  stop(): Promise<void>;
}

/**
 * The platform as deployed, on a fresh database of the machine's PostgreSQL: cluster mode (every
 * service its own process on the shared Kafka broker, a topic prefix of its own) or dev mode (one
 * process, the in-process transport). Stopping it stops every process and drops the database.
 */
export async function startPlatform(mode: LoadMode, env: Record<string, string> = {}): Promise<RunningPlatform> {
  await ensureTestPostgres();
  const adminKey = randomBytes(32).toString('base64url');
  const lines: (readonly [string, string])[] = [];
  if (mode === 'dev') {
    const dev = await startDevModeProcess('bench_load', { DEV_API_KEY: adminKey, DEMO: 'false', ...env });
    return {
      url: dev.url,
      databaseUrl: dev.databaseUrl,
      adminKey,
      output: () => dev.output().split('\n').map((line) => ['dev mode', line] as const),
      stop: () => dev.stop(),
    };
  }
  await ensureTestKafka();
  const database = await createTestDatabase('bench_load');
  try {
    const cluster = await startCluster({
      root: process.cwd(),
      databaseUrl: database.url,
      kafkaBrokers: process.env.KAFKA_BROKERS!.split(','),
      bootstrapAdminApiKey: adminKey,
      topicPrefix: uniqueTopicPrefix('load'),
      env,
      onOutput: (service: ClusterService, line) => {
        lines.push([service, line]);
      },
      // Nine processes starting at once on two cores.
      startTimeoutMs: 180_000,
    });
    return {
      url: cluster.gatewayUrl,
      databaseUrl: database.url,
      adminKey,
      output: () => [...lines],
      async stop() {
        await cluster.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

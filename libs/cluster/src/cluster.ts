import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The services cluster mode runs, each its own process (the relay as `relays` processes, one
 * leading), in start order; stopped in the reverse order, so the relay goes last but for the
 * orchestrator and publishes what the others appended while they stopped.
 */
export const clusterServices = ['orchestrator', 'relay', 'agent-runtime', 'policy', 'approvals', 'tool-adapters', 'audit', 'replay', 'observability', 'gateway'] as const;
export type ClusterService = (typeof clusterServices)[number];

export interface ClusterOptions {
  /** The repository root (where `services/` is). */
  readonly root: string;
  readonly databaseUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly bootstrapAdminApiKey: string;
  readonly bootstrapTenant?: string;
  /** The gateway's PLATFORM_ADMIN_API_KEY (manages tenants); none when unset. */
  readonly platformAdminApiKey?: string;
  readonly topicPrefix?: string;
  readonly eventStoreSchema?: string;
  readonly readModelSchema?: string;
  readonly gatewaySchema?: string;
  /** 0 picks a free port. */
  readonly gatewayPort?: number;
  /** info or more detailed: the launcher knows a service is ready by its "started" line at info. */
  readonly logLevel?: 'info' | 'debug' | 'trace';
  /** More environment for every service (e.g. TIMEOUT_SWEEP_MS, OPENAI_API_KEY). */
  readonly env?: Readonly<Record<string, string>>;
  /** Each line a service prints; default: dropped. */
  readonly onOutput?: (service: ClusterService, line: string) => void;
  /** How long a service may take to say it started. */
  readonly startTimeoutMs?: number;
  /** How many relay processes run (one leads, the others stand by); default 2. */
  readonly relays?: number;
}

export interface Cluster {
  readonly gatewayUrl: string;
  /** How many processes run the service (the relay's `relays`, every other service 1). */
  replicas(service: ClusterService): number;
  /** Where a running service answers /healthz and /readyz (each its own HEALTH_PORT; the gateway on its API port). */
  healthUrl(service: ClusterService, replica?: number): string | undefined;
  /** Where a running service answers /metrics (the gateway on its HEALTH_PORT, apart from its API). */
  metricsUrl(service: ClusterService, replica?: number): string | undefined;
  /** The relay process that leads now, as its /readyz says; undefined while none does. */
  relayLeader(): Promise<number | undefined>;
  /** SIGKILL, as in a crash: no shutdown hooks run. */
  kill(service: ClusterService, replica?: number): Promise<void>;
  /** Starts a service again (after kill or stop) and waits until it is ready. */
  start(service: ClusterService, replica?: number): Promise<void>;
  /** SIGTERM to every service (gateway first), waiting for each to finish what it holds. */
  stop(): Promise<void>;
}

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

/** A line that says the service is ready, and what it tells (the gateway's URL). */
function readiness(service: ClusterService, line: string): { ready: boolean; url?: string; metricsUrl?: string } {
  try {
    const entry = JSON.parse(line) as { msg?: string; url?: string; healthUrl?: string; metricsUrl?: string };
    if (service === 'gateway') return entry.msg === 'gateway listening' ? { ready: true, ...(entry.url ? { url: entry.url } : {}), ...(entry.metricsUrl ? { metricsUrl: entry.metricsUrl } : {}) } : { ready: false };
    return entry.msg === `${service} started` ? { ready: true, ...(entry.healthUrl ? { url: entry.healthUrl } : {}) } : { ready: false };
  } catch {
    return { ready: false };
  }
}

/** Where a service's main module is, under services/: the relay runs from the orchestrator's package. */
function entryOf(service: ClusterService): readonly string[] {
  return service === 'relay' ? ['orchestrator', 'src', 'relay-main.ts'] : [service, 'src', 'main.ts'];
}

/** A process's /readyz answer; undefined when it does not answer. */
async function readReadiness(healthUrl: string): Promise<{ checks: { kind: string; role?: string }[] } | undefined> {
  try {
    const answer = await fetch(`${healthUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
    return (await answer.json()) as { checks: { kind: string; role?: string }[] };
  } catch {
    return undefined;
  }
}

/**
 * Cluster mode: every service its own Node process on real Kafka and Postgres, started from its
 * `main.ts`. Used by `npm run cluster`, the end-to-end specs and the orchestration benchmark.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const relays = options.relays ?? 2;
  const replicas = (service: ClusterService) => (service === 'relay' ? relays : 1);
  /** One process of a service: its name, or name#replica past the first. */
  const processKey = (service: ClusterService, replica = 0) => (replica === 0 ? service : `${service}#${replica}`);
  const running = new Map<string, Running>();
  let gatewayUrl = '';
  const healthUrls = new Map<string, string>();
  const metricsUrls = new Map<string, string>();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: options.kafkaBrokers.join(','),
    TOPIC_PREFIX: options.topicPrefix ?? '',
    EVENT_STORE_SCHEMA: options.eventStoreSchema ?? 'event_store',
    READ_MODEL_SCHEMA: options.readModelSchema ?? 'read_models',
    GATEWAY_SCHEMA: options.gatewaySchema ?? 'gateway',
    GATEWAY_PORT: String(options.gatewayPort ?? 0),
    BOOTSTRAP_ADMIN_API_KEY: options.bootstrapAdminApiKey,
    BOOTSTRAP_TENANT: options.bootstrapTenant ?? 'demo',
    ...(options.platformAdminApiKey ? { PLATFORM_ADMIN_API_KEY: options.platformAdminApiKey } : {}),
    LOG_LEVEL: options.logLevel ?? 'info',
    // Each service its own free port for /healthz and /readyz, told in its "started" line.
    HEALTH_PORT: '0',
    ...options.env,
  };

  const start = (service: ClusterService, replica = 0): Promise<void> => {
    const key = processKey(service, replica);
    const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', join(options.root, 'services', ...entryOf(service))], {
      cwd: options.root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    running.set(key, { child, exited });
    return new Promise<void>((resolve, reject) => {
      const timeoutMs = options.startTimeoutMs ?? 60_000;
      const recent: string[] = [];
      const timer = setTimeout(() => reject(new Error(`${key} did not start within ${timeoutMs} ms; its last lines:\n${recent.join('\n')}`)), timeoutMs);
      const onLine = (line: string) => {
        options.onOutput?.(service, line);
        recent.push(line);
        if (recent.length > 20) recent.shift();
        const { ready, url, metricsUrl } = readiness(service, line);
        if (url) {
          const local = url.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1');
          healthUrls.set(key, local);
          if (service === 'gateway') gatewayUrl = local;
          else metricsUrls.set(key, `${local}/metrics`);
        }
        if (metricsUrl) metricsUrls.set(key, metricsUrl);
        if (ready) {
          clearTimeout(timer);
          resolve();
        }
      };
      createInterface({ input: child.stdout! }).on('line', onLine);
      createInterface({ input: child.stderr! }).on('line', onLine);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${key} exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready; its last lines:\n${recent.join('\n')}`));
      });
    });
  };

  const stopOne = async (service: ClusterService, signal: NodeJS.Signals, replica = 0) => {
    const key = processKey(service, replica);
    const process = running.get(key);
    if (!process) return;
    running.delete(key);
    healthUrls.delete(key);
    metricsUrls.delete(key);
    if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill(signal);
    await process.exited;
  };

  const stop = async () => {
    for (const service of [...clusterServices].reverse()) await Promise.all(Array.from({ length: replicas(service) }, (_, replica) => stopOne(service, 'SIGTERM', replica)));
  };

  try {
    // The orchestrator first: it creates the store's and read models' tables the others read.
    await start('orchestrator');
    await Promise.all(clusterServices.filter((service) => service !== 'orchestrator').flatMap((service) => Array.from({ length: replicas(service) }, (_, replica) => start(service, replica))));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    gatewayUrl,
    replicas,
    healthUrl: (service, replica) => healthUrls.get(processKey(service, replica)),
    metricsUrl: (service, replica) => metricsUrls.get(processKey(service, replica)),
    async relayLeader() {
      for (let replica = 0; replica < relays; replica++) {
        const url = healthUrls.get(processKey('relay', replica));
        const report = url ? await readReadiness(url) : undefined;
        if (report?.checks.some((check) => check.kind === 'relay' && check.role === 'leader')) return replica;
      }
      return undefined;
    },
    kill: (service, replica) => stopOne(service, 'SIGKILL', replica),
    start,
    stop,
  };
}

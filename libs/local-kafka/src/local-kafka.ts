import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureKafkaRuntime, exists, log4jConfig } from './kafka-runtime.js';

export interface LocalKafkaOptions {
  /** Holds server.properties, the KRaft log and broker.log. Kept unless `reset`. */
  readonly dataDir: string;
  /** 0 picks a free port; the controller listens on another free port. */
  readonly port?: number;
  readonly reset?: boolean;
  readonly heapMb?: number;
  /** Keep running after this process exits (the CLI); otherwise the broker dies with it. */
  readonly detached?: boolean;
  readonly readyTimeoutMs?: number;
  /** Delete the data directory once stopped (tests). */
  readonly ephemeral?: boolean;
  readonly log?: (line: string) => void;
}

export interface LocalKafka {
  readonly brokers: string[];
  readonly pid: number;
  /** Controlled shutdown (SIGTERM), waiting for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL: the process dies at once, as in a crash. */
  kill(): Promise<void>;
}

/**
 * A real single-node Kafka (KRaft, broker and controller in one process) from Apache Kafka's
 * Maven Central jars, on loopback. The data directory is formatted on first start; a restart
 * with the same directory and port keeps every topic and committed offset.
 */
export async function startLocalKafka(options: LocalKafkaOptions): Promise<LocalKafka> {
  const log = options.log ?? (() => undefined);
  const libDir = await ensureKafkaRuntime(log);
  if (options.reset) await rm(options.dataDir, { recursive: true, force: true });
  await mkdir(options.dataDir, { recursive: true });

  const settings = await brokerSettings(options);
  const propertiesFile = join(options.dataDir, 'server.properties');
  await writeFile(propertiesFile, properties(settings));
  const classpath = join(libDir, '*');
  const java = ['-cp', classpath, `-Dlog4j2.configurationFile=${log4jConfig}`];

  if (!(await exists(join(settings.logDir, 'meta.properties')))) {
    await runToEnd('java', [...java, 'kafka.tools.StorageTool', 'format', '-t', settings.clusterId, '-c', propertiesFile, '--standalone'], 'formatting the KRaft log directory');
  }

  const logFile = await open(join(options.dataDir, 'broker.log'), 'a');
  const broker = spawn(
    'java',
    [`-Xms256m`, `-Xmx${options.heapMb ?? 768}m`, '-XX:+UseG1GC', '-Djava.awt.headless=true', ...java, 'kafka.Kafka', propertiesFile],
    { stdio: ['ignore', logFile.fd, logFile.fd], detached: options.detached ?? false },
  );
  await logFile.close();
  if (options.detached) broker.unref();
  // An attached broker must not outlive this process, even when it dies without cleaning up.
  const killOnExit = () => broker.kill('SIGKILL');
  if (!options.detached) process.once('exit', killOnExit);
  await writeFile(join(options.dataDir, 'broker.pid'), String(broker.pid));

  const brokers = [`127.0.0.1:${settings.port}`];
  try {
    await waitUntilReady(brokers, broker, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    broker.kill('SIGKILL');
    const tail = (await readFile(join(options.dataDir, 'broker.log'), 'utf8').catch(() => '')).split('\n').slice(-30).join('\n');
    throw new Error(`${(error as Error).message}\nLast lines of ${join(options.dataDir, 'broker.log')}:\n${tail}`);
  }
  log(`Kafka ${brokers[0]} is ready (pid ${broker.pid}, data in ${options.dataDir}).`);
  const ended = async () => {
    process.removeListener('exit', killOnExit);
    if (options.ephemeral) await rm(options.dataDir, { recursive: true, force: true });
  };
  return {
    brokers,
    pid: broker.pid!,
    stop: () => terminate(broker, 'SIGTERM', 60_000).finally(ended),
    kill: () => terminate(broker, 'SIGKILL', 10_000).finally(ended),
  };
}

interface BrokerSettings {
  readonly port: number;
  readonly controllerPort: number;
  readonly logDir: string;
  readonly clusterId: string;
}

/** Ports and cluster id are remembered in the data directory so a restart reuses them. */
async function brokerSettings(options: LocalKafkaOptions): Promise<BrokerSettings> {
  const file = join(options.dataDir, 'settings.json');
  const saved = (await exists(file)) ? (JSON.parse(await readFile(file, 'utf8')) as BrokerSettings) : undefined;
  const settings: BrokerSettings = {
    port: options.port || saved?.port || (await freePort()),
    controllerPort: saved?.controllerPort ?? (await freePort()),
    logDir: join(options.dataDir, 'kraft-logs'),
    clusterId: saved?.clusterId ?? kafkaClusterId(),
  };
  await writeFile(file, JSON.stringify(settings, null, 2));
  return settings;
}

function properties(s: BrokerSettings): string {
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    `listeners=PLAINTEXT://127.0.0.1:${s.port},CONTROLLER://127.0.0.1:${s.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${s.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `controller.quorum.bootstrap.servers=127.0.0.1:${s.controllerPort}`,
    `log.dirs=${s.logDir}`,
    'num.partitions=3',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
  ].join('\n')}\n`;
}

/** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding. */
function kafkaClusterId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
}

async function waitUntilReady(brokers: string[], broker: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  broker.once('exit', (code) => (exited = code));
  const admin = new Kafka({ clientId: 'local-kafka-probe', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  for (;;) {
    if (exited !== undefined) throw new Error(`the Kafka broker exited during start-up (code ${exited})`);
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0 && cluster.controller !== null) {
        await admin.disconnect();
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await admin.disconnect().catch(() => undefined);
      throw new Error(`the Kafka broker at ${brokers[0]} was not ready within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function terminate(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the Kafka broker (pid ${child.pid}) did not stop within ${timeoutMs} ms after ${signal}; killed`));
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

function runToEnd(command: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (exit ${code}):\n${output.slice(-2000)}`))));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

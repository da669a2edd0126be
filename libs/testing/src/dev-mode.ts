import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { testDatabaseUrl } from './postgres.js';
import { spawnFixture } from './processes.js';
import { waitFor } from './wait-for.js';

const root = join(import.meta.dirname, '../../..');

export interface DevModeProcess {
  readonly url: string;
  readonly databaseUrl: string;
  /** What the process printed so far. */
  output(): string;
  /** Stops the process, drops its database and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Dev mode (`scripts/dev.ts`) on a fresh database of the machine's PostgreSQL, without Kafka, on a
 * free port; `name` prefixes the database and the data directory. `env` adds to (or overrides) what
 * it is started with, e.g. DEV_API_KEY. Resolves once it reports ready; if it exits first, it is
 * cleaned up and the error carries the end of its output.
 */
export async function startDevModeProcess(name: string, env: Record<string, string> = {}, options: { readonly readyTimeoutMs?: number } = {}): Promise<DevModeProcess> {
  const admin = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1 });
  const database = `${name}_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${database}`);
  const databaseUrl = new URL(testDatabaseUrl());
  databaseUrl.pathname = `/${database}`;
  const dataDir = join(root, '.data', database);
  const dev = spawnFixture(join(root, 'scripts/dev.ts'), { PORT: '0', DATABASE_URL: databaseUrl.toString(), DEV_DATA_DIR: dataDir, LOG_LEVEL: 'warn', KAFKA_BROKERS: '', ...env });
  const stop = async () => {
    dev.child.kill('SIGTERM');
    await dev.exited();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  };
  // Not ready in time: stopped and cleaned up all the same, so no process or database outlives the spec.
  await waitFor('dev mode to be ready', () => dev.output().includes('"msg":"dev mode ready"') || dev.child.exitCode !== null, { timeoutMs: options.readyTimeoutMs ?? 90_000 }).catch(() => undefined);
  const line = dev.output().split('\n').find((candidate) => candidate.includes('"msg":"dev mode ready"'));
  if (!line) {
    const output = dev.output();
    await stop();
    throw new Error(`dev mode did not start:\n${output.slice(-3000)}`);
  }
  return { url: (JSON.parse(line) as { url: string }).url, databaseUrl: databaseUrl.toString(), output: () => dev.output(), stop };
}

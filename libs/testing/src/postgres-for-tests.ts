import { join } from 'node:path';
import { startLocalPostgres, type LocalPostgres } from '@agent-orchestrator/local-postgres';
import pg from 'pg';
import { defaultTestDatabaseUrl } from './postgres.js';

declare global {
  var __localPostgres: LocalPostgres | undefined;
}

/**
 * Integration specs run against a real PostgreSQL: DATABASE_URL when set, else the machine's
 * server on 127.0.0.1:5432, else an embedded server started here for the run.
 */
export async function ensureTestPostgres(): Promise<void> {
  const explicit = process.env.DATABASE_URL;
  const url = explicit ?? defaultTestDatabaseUrl;
  // TEST_POSTGRES=embedded exercises the fallback on a machine that has a server.
  const problem = process.env.TEST_POSTGRES === 'embedded' && !explicit ? 'TEST_POSTGRES=embedded' : await probe(url);
  if (!problem) return;
  if (explicit) throw new Error(`DATABASE_URL=${redact(explicit)} is not reachable: ${problem}. Start that server or unset DATABASE_URL.`);
  console.log(`\nNot using ${url} (${problem}): starting an embedded PostgreSQL for this run.`);
  const local = await startLocalPostgres({
    dataDir: join(process.cwd(), '.data', `test-postgres-${process.pid}`),
    reset: true,
    ephemeral: true,
    database: 'test',
  });
  globalThis.__localPostgres = local;
  process.env.DATABASE_URL = local.connectionString;
}

async function probe(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}

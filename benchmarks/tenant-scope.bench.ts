/**
 * npm run bench:tenant-scope [-- --json]
 *
 * What row-level security costs a read. Two reads the gateway makes, each against the same read as
 * it was before the tenant scope, on the same server and rows, rounds alternating:
 * - a session with its steps (`GET /v1/sessions/:id`, TypeORM): two repository reads as the
 *   migration role, against the same in `inTenantScope` (a transaction that sets the tenant) as
 *   the application role, under the tables' policies;
 * - a tenant's API keys (`GET /v1/api-keys`, pg): one query, against the same in `withTenant`.
 * Figures are the mean time of one read over a round of sequential reads (median of rounds);
 * ratios ours / before, lower is better.
 */
import { randomUUID } from 'node:crypto';
import { inTransaction, isolateByTenant, withTenant } from '@agent-orchestrator/postgres';
import { SessionsProjection, openReadModels } from '@agent-orchestrator/read-models';
import { createTestSchema } from '@agent-orchestrator/testing';
import { ensureTestPostgres } from '@agent-orchestrator/testing/postgres-for-tests';
import { Command } from 'commander';
import pg from 'pg';
import { alternate, progressBar, round } from './support.js';

const options = new Command()
  .name('bench:tenant-scope')
  .option('--json', 'print the figures as one JSON object on the last line')
  .option('--rounds <n>', 'alternating rounds', (v) => Number.parseInt(v, 10), 15)
  .option('--reads <n>', 'reads per round', (v) => Number.parseInt(v, 10), 200)
  .parse()
  .opts<{ json?: boolean; rounds: number; reads: number }>();

await ensureTestPostgres();
const db = await createTestSchema('bench_tenant_scope', 4);
const database = await db.tenantDatabase();
const owner = await openReadModels({ url: db.connectionString, schema: db.schema, poolSize: 2 });
const scoped = await openReadModels({ url: db.connectionString, schema: db.schema, poolSize: 2, asAppRole: database.appRole });
const tenants = Array.from({ length: 20 }, (_, n) => `tenant-${n}`);
const sessionIds: { tenantId: string; sessionId: string }[] = [];
const keys = `${pg.escapeIdentifier(db.schema)}.api_keys`;

try {
  // 2,000 sessions of 20 tenants, three steps each, and 10 keys a tenant.
  await owner.dataSource.transaction((manager) => new SessionsProjection(owner.sessions, database.appRole.name).setUp(manager));
  await inTransaction(db.pool, async (client) => {
    for (let n = 0; n < 2000; n++) {
      const tenantId = tenants[n % tenants.length]!;
      const sessionId = randomUUID();
      sessionIds.push({ tenantId, sessionId });
      await client.query(
        `INSERT INTO ${pg.escapeIdentifier(db.schema)}.sessions (session_id, tenant_id, status, goal, constraints, started_at, updated_at, last_stream_version) VALUES ($1, $2, 'running', 'a goal', '{}', now(), now(), 3)`,
        [sessionId, tenantId],
      );
      for (const step of ['s1', 's2', 's3']) {
        await client.query(`INSERT INTO ${pg.escapeIdentifier(db.schema)}.session_steps (session_id, step_id, tenant_id, title, agent, depends_on, status) VALUES ($1, $2, $3, 'a step', 'Executor', '[]', 'completed')`, [sessionId, step, tenantId]);
      }
    }
    await client.query(`CREATE TABLE ${keys} (key_id uuid PRIMARY KEY, tenant_id text NOT NULL, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(`CREATE INDEX ON ${keys} (tenant_id, created_at)`);
    await client.query(`INSERT INTO ${keys} (key_id, tenant_id, name) SELECT gen_random_uuid(), 'tenant-' || (n % 20), 'key ' || n FROM generate_series(1, 200) AS n`);
    await isolateByTenant(client, keys, { appRole: database.appRole.name, privileges: ['SELECT'] });
    await client.query(`ANALYZE ${pg.escapeIdentifier(db.schema)}.sessions; ANALYZE ${pg.escapeIdentifier(db.schema)}.session_steps; ANALYZE ${keys}`);
  });

  /** Mean milliseconds of one read over `options.reads` sequential reads. */
  const timed = async (read: (n: number) => Promise<unknown>) => {
    const started = performance.now();
    for (let n = 0; n < options.reads; n++) await read(n);
    return (performance.now() - started) / options.reads;
  };
  const pick = (n: number) => sessionIds[(n * 7919) % sessionIds.length]!;
  const before = owner.dataSource;
  const listKeys = `SELECT key_id, name, created_at FROM ${keys} WHERE tenant_id = $1 ORDER BY created_at, key_id`;

  const bar = progressBar('tenant scope', options.rounds * 2);
  const session = await alternate(options.rounds, bar, 'session read', (side) =>
    side === 'ours'
      ? timed((n) => scoped.sessionQueries.getSession(pick(n).tenantId, pick(n).sessionId))
      : timed(async (n) => {
          const { tenantId, sessionId } = pick(n);
          await before.getRepository(owner.sessions.sessions).findOneBy({ tenantId, sessionId });
          await before.getRepository(owner.sessions.sessionSteps).findBy({ tenantId, sessionId });
        }),
  );
  const apiKeys = await alternate(options.rounds, bar, 'key list', (side) =>
    side === 'ours'
      ? timed((n) => withTenant(database.tenantPool, tenants[n % tenants.length]!, (client) => client.query(listKeys, [tenants[n % tenants.length]])))
      : timed((n) => db.pool.query(listKeys, [tenants[n % tenants.length]])),
  );
  bar.stop();

  const figures = {
    session_read_ms: round(session.ours, 3),
    session_read_before_ms: round(session.raw, 3),
    session_read_ratio: round(session.ours / session.raw, 2),
    key_list_ms: round(apiKeys.ours, 3),
    key_list_before_ms: round(apiKeys.raw, 3),
    key_list_ratio: round(apiKeys.ours / apiKeys.raw, 2),
  };
  console.log(`session with steps (TypeORM): ${figures.session_read_ms} ms in its tenant scope as the application role vs ${figures.session_read_before_ms} ms before (ratio ${figures.session_read_ratio})`);
  console.log(`a tenant's API keys (pg):     ${figures.key_list_ms} ms in withTenant as the application role vs ${figures.key_list_before_ms} ms before (ratio ${figures.key_list_ratio})`);
  if (options.json) console.log(JSON.stringify(figures));
} finally {
  await owner.close();
  await scoped.close();
  await db.dispose();
}

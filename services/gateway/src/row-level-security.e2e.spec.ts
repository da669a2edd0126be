import { checkedFetch } from './e2e/answer-check.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { resolveAppRole, withTenant, type TenantDatabase } from '@agent-orchestrator/postgres';
import { createTestDatabase, spawnFixture, testDatabaseUrl, waitFor, type RunningFixture } from '@agent-orchestrator/testing';
import { operationStream, toolCallStream } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import pg from 'pg';
import { ApiKeyStore } from './api-keys/api-key-store.js';
import { api, type Target } from './e2e/scenarios.behaviour.js';

const root = join(import.meta.dirname, '../../..');
/**
 * Tables with a tenant_id column left out of row-level security, each with its reason: each must
 * instead be closed to the application role (no privilege at all). Anything else fails the spec.
 */
const notIsolated: readonly { readonly tables: RegExp; readonly why: string }[] = [
  { tables: /^event_store\./, why: 'the session log: every service appends and reads it across tenants, as the migration role' },
  { tables: /^gateway\.tenants$/, why: "the platform's list of tenants: managed by the platform admin, read by the tenant gate, as the migration role" },
];
/** Every tenant table the platform makes: the catalog must list at least these. */
const knownTenantTables = [
  'read_models.sessions',
  'read_models.session_steps',
  'read_models.model_calls',
  'read_models.approvals',
  'read_models.projection_quarantine',
  'read_models.tenant_statuses',
  'read_models.tool_rate_limits',
  'gateway.api_keys',
  'gateway.idempotency_claims',
  'gateway.ws_tickets',
  'gateway.role_mappings',
  'secrets.secrets',
  'secrets.tenant_keys',
  'read_models.audit_leaves',
  'read_models.audit_trees',
  'read_models.audit_keys',
  'read_models.audit_checkpoints',
  'read_models.audit_exports',
  'read_models.audit_export_chunks',
  'read_models.audit_retention',
  'read_models.operations',
  'read_models.operation_items',
  'read_models.dead_letters',
  'read_models.parked_tool_calls',
  'read_models.usage_calls',
  'read_models.usage_runs',
  'read_models.usage_tool_calls',
  'read_models.alerts',
  'read_models.alert_deliveries',
  'read_models.alert_delivery_attempts',
];
/** Tenant tables closed to the application role altogether (the orchestrator's own, the alert delivery outbox): reading them is refused, whatever the tenant. */
const closedTables = ['read_models.projection_quarantine', 'read_models.tenant_statuses', 'read_models.alert_deliveries', 'read_models.alert_delivery_attempts'];

interface TenantTable {
  readonly name: string;
  readonly schema: string;
  readonly isolated: boolean;
  readonly privileges: string[];
}

/**
 * The platform's own tables below the application: dev mode (every service) runs on a fresh
 * database with APP_DATABASE_URL, a login role of its own; tenant A ("demo") and tenant B use
 * it through the API. Then raw SQL on the platform's tenant connection (the role and settings its
 * tenant pool is made with), with tenant B set and no WHERE clause on the tenant, must see none
 * of A's rows in any table with a `tenant_id` column the catalog lists.
 */
describe('row-level security on every tenant table of the running platform', () => {
  const dataDir = join(root, '.data', `rls-e2e-${randomBytes(4).toString('hex')}`);
  const keyA = randomBytes(32).toString('base64url');
  const appLogin = `ao_rls_${randomBytes(4).toString('hex')}`;
  const bypassing = `ao_rls_bypass_${randomBytes(4).toString('hex')}`;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let appDatabaseUrl: string;
  let dev: RunningFixture;
  let target: Target;
  let tenants: TenantDatabase;
  let keyB: string;
  let owner: pg.Pool | undefined;

  const devMode = (env: Record<string, string>) =>
    spawnFixture(join(root, 'scripts/dev.ts'), { PORT: '0', DATABASE_URL: database.url, DEV_API_KEY: keyA, DEV_DATA_DIR: dataDir, LOG_LEVEL: 'warn', KAFKA_BROKERS: '', ...env });
  const loginUrl = (role: string) => {
    const url = new URL(database.url);
    url.username = role;
    url.password = '';
    return url.toString();
  };

  beforeAll(async () => {
    database = await createTestDatabase('rls');
    owner = new pg.Pool({ connectionString: database.url, max: 2 });
    // Dropping the database at the end ends its connections: expected, not an error of the spec's.
    owner.on('error', () => undefined);
    await owner.query(`CREATE ROLE ${appLogin} LOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT; CREATE ROLE ${bypassing} LOGIN NOSUPERUSER BYPASSRLS`);
    appDatabaseUrl = loginUrl(appLogin);
    // PORT 0: the demo CRM takes a free port too.
    // An approval SLA of a second: A's approval that waits raises an alert of A (its row in the alerts read model).
    dev = devMode({ APP_DATABASE_URL: appDatabaseUrl, TOOL_TENANT_RATE_LIMIT_PER_MINUTE: '600', ALERT_APPROVAL_SLA_MS: '1000', ALERT_EVALUATE_MS: '500' });
    await waitFor('dev mode to be ready', () => dev.output().includes('"msg":"dev mode ready"') || dev.child.exitCode !== null, { timeoutMs: 90_000 });
    const line = dev.output().split('\n').find((candidate) => candidate.includes('"msg":"dev mode ready"'));
    if (!line) throw new Error(`dev mode did not start:\n${dev.output().slice(-3000)}`);
    target = { url: (JSON.parse(line) as { url: string }).url, key: keyA };

    const appRole = await resolveAppRole(owner, { databaseUrl: database.url, appDatabaseUrl, appRole: 'unused' });
    // The spec's own connections as the role say so, to be told apart from the platform's.
    const tenantPool = new pg.Pool({ ...appRole.connection, max: 2, application_name: 'rls-spec' });
    // As for the owner's: a connection the database's drop ends while the pool is closing is not a failure.
    tenantPool.on('error', () => undefined);
    tenants = { pool: owner, tenantPool, appRole };
    keyB = (await new ApiKeyStore(tenants, 'gateway').create({ tenantId: 'tenant-b', name: 'rls admin B', roles: ['admin'], createdBy: 'spec' })).apiKey;

    // A: the demo session reads customer 42 (a tool call, counted by the rate limit) and waits for
    // approval of the write; a secret (and so a data key); an Idempotency-Key; a WebSocket ticket; a
    // role mapping. B: a session, a secret, a key.
    const { call, waitForStatus } = api(target);
    const started = await call('POST', '/v1/sessions', { body: { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } } });
    expect(started.status).toBe(202);
    await waitForStatus(started.body.sessionId, 'awaiting_approval');
    expect((await call('PUT', '/v1/secrets/crm-token', { body: { value: 'a-secret-of-a' } })).status).toBe(200);
    expect((await call('POST', '/v1/ws-tickets')).status).toBe(201);
    expect((await call('PUT', '/v1/role-mapping', { body: { mapping: { 'crm-admins': ['admin'] } } })).status).toBe(200);
    const sessionOfB = await checkedFetch(`${target.url}/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keyB}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ goal: 'Something of B' }),
    });
    expect(sessionOfB.status).toBe(202);
    await api({ url: target.url, key: keyB }).waitForStatus(((await sessionOfB.json()) as { sessionId: string }).sessionId, 'completed');
    expect((await call('PUT', '/v1/secrets/crm-token', { key: keyB, body: { value: 'a-secret-of-b' } })).status).toBe(200);
    const sessionOfA = await checkedFetch(`${target.url}/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keyA}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ goal: 'Something of A' }),
    });
    expect(sessionOfA.status).toBe(202);
    // A's audit trail: a retention setting, and an export (a signed checkpoint, its bundle's chunks).
    expect((await call('PUT', '/v1/audit/retention', { body: { days: 365 } })).status).toBe(202);
    const exported = await call('POST', '/v1/audit/exports', { body: {} });
    expect(exported.status).toBe(202);
    await waitFor("A's audit export to complete", async () => (await call('GET', `/v1/audit/exports/${exported.body.exportId}`)).body?.status === 'completed', { timeoutMs: 60_000 });
    await waitFor("A's audit retention", async () => (await call('GET', '/v1/audit/retention')).body?.days === 365, { timeoutMs: 30_000 });
    // A's operation with its planned items, as the replay service records a dry run. Appended to the
    // log here because dev mode registers no item source of its own to match.
    const log = await PostgresEventStore.open({ pool: owner, schema: 'event_store' });
    const operationId = randomUUID();
    const envelope = { tenantId: 'demo', correlationId: operationStream(operationId), causationId: null, actor: { kind: 'user', id: 'rls-spec' }, occurredAt: new Date().toISOString(), traceparent: null, schemaVersion: 1 } as const;
    const deadLetter = { itemId: 'dl-a-1', source: 'dead-letter', tenantId: 'demo', tool: 'crm', repeatsSideEffect: false, label: 'a dead letter of A' } as const;
    await log.append(operationStream(operationId), [
      { ...envelope, eventId: randomUUID(), type: 'OperationPlanned', data: { operationId, kind: 'redrive', filter: { tool: 'crm' }, scope: { kind: 'tenant', tenantId: 'demo' }, rate: 10, total: 1, repeatsSideEffect: 0, counts: { byConsumer: {}, byCode: {}, byTool: { crm: 1 }, byTenant: { demo: 1 } }, chunks: 1 } },
      { ...envelope, eventId: randomUUID(), type: 'OperationItemsMatched', data: { operationId, chunk: 0, items: [deadLetter] } },
    ]);
    // A's parked tool call, as tool-adapters records one whose retries ran out: the parked-calls
    // model keeps it, and the replay service lists it in the dead-letter index.
    const parkedRun = `${randomUUID()}.step.s1.1`;
    await log.append(toolCallStream(parkedRun, 'call-1'), [
      {
        ...envelope,
        correlationId: parkedRun.split('.')[0]!,
        actor: { kind: 'service', id: 'tool-adapters' },
        eventId: randomUUID(),
        type: 'ToolCallParked',
        data: { sessionId: parkedRun.split('.')[0]!, runId: parkedRun, callId: 'call-1', tool: 'crm', operation: 'updateCustomer', method: 'patch', code: 'http-503', reason: 'gave up after 5 attempts: 503', attempts: 5, parkings: 1 },
      },
    ]);
    await log.close();
    await waitFor("A's operation", async () => (await call('GET', `/v1/operations/${operationId}`)).body?.total === 1, { timeoutMs: 30_000 });
    // A's usage: the demo session's model turns that asked for crm's operations (the read, then the
    // write held for approval); the write's turn comes after the read's answer in the log, so its tool call is in too.
    await waitFor("A's usage of crm", async () => ((await call('GET', '/v1/usage?groupBy=tool')).body?.rows ?? []).filter((row: { key: string | null }) => row.key?.startsWith('crm__')).length >= 2, { timeoutMs: 30_000 });
    await waitFor("A's parked call in the dead-letter index", async () => (await call('GET', '/v1/dead-letters?tool=crm')).body?.items?.length === 1, { timeoutMs: 30_000 });
    await waitFor("A's alert of its approval past the SLA", async () => (await call('GET', '/v1/alerts')).body?.items?.length > 0, { timeoutMs: 30_000 });
    // Dev mode's start, three sessions and an export: more than the default on a loaded machine.
  }, 240_000);
  afterAll(async () => {
    dev?.child.kill('SIGTERM');
    await dev?.exited();
    await tenants?.tenantPool.end();
    await owner?.end();
    await database?.drop();
    // Roles belong to the server; what was granted to them went with the database.
    const server = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1 });
    await server.query(`DROP ROLE IF EXISTS ${appLogin}; DROP ROLE IF EXISTS ${bypassing}`);
    await server.end();
    rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(() => {
    const failed = expect.getState().assertionCalls !== expect.getState().numPassingAsserts;
    if (failed) console.log(dev.output().slice(-4000));
  });

  /** Every table with a tenant_id column in the platform's database, as the catalog says, with what the application role may do on it. */
  const tenantTables = async (): Promise<TenantTable[]> =>
    (
      await tenants.pool.query<TenantTable>(
        `SELECT n.nspname || '.' || c.relname AS name, n.nspname AS schema,
                c.relrowsecurity AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) AS isolated,
                ARRAY(SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p WHERE has_table_privilege($1, c.oid, p)) AS privileges
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
          ORDER BY 1`,
        [appLogin],
      )
    ).rows;
  const ownerCount = async (table: string, tenantId: string) => (await tenants.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenantId])).rows[0]!.n;

  it('runs the tenant pool as the login role of APP_DATABASE_URL, which owns nothing and bypasses nothing', async () => {
    const [role] = (await tenants.pool.query(`SELECT rolsuper, rolbypassrls, (SELECT count(*)::int FROM pg_class WHERE relowner = r.oid) AS owned FROM pg_roles r WHERE rolname = $1`, [appLogin])).rows;
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, owned: 0 });
    // A request, so the platform's tenant connections are open (idle ones close after a while).
    expect((await api({ url: target.url, key: keyB }).call('GET', '/v1/api-keys')).status).toBe(200);
    const connected = await tenants.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = $1 AND application_name <> 'rls-spec'`,
      [appLogin],
    );
    expect(connected.rows[0]!.n).toBeGreaterThan(0);
  });

  it('has row-level security on every table with a tenant_id column; the few left out are closed to the application role instead', async () => {
    const tables = await tenantTables();
    expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(knownTenantTables));
    for (const table of tables) {
      const exempt = notIsolated.find((entry) => entry.tables.test(table.name));
      if (exempt) expect({ table: table.name, why: exempt.why, privileges: table.privileges }).toEqual({ table: table.name, why: exempt.why, privileges: [] });
      else expect({ table: table.name, isolated: table.isolated }).toEqual({ table: table.name, isolated: true });
    }
  });

  it("shows tenant B, through raw SQL on the platform's tenant connection, its own rows and none of A's, and lets it change none of A's", async () => {
    const checked: string[] = [];
    for (const table of await tenantTables()) {
      const sql = pg.escapeIdentifier(table.schema) + '.' + pg.escapeIdentifier(table.name.slice(table.schema.length + 1));
      if (!table.privileges.includes('SELECT')) {
        await expect(withTenant(tenants.tenantPool, 'tenant-b', (client) => client.query(`SELECT * FROM ${sql}`))).rejects.toMatchObject({ code: '42501' });
        continue;
      }
      // Otherwise the spec could not fail: A must have rows there to hide.
      expect({ table: table.name, rowsOfA: (await ownerCount(sql, 'demo')) > 0 }).toEqual({ table: table.name, rowsOfA: true });
      const rowsOfB = await ownerCount(sql, 'tenant-b');
      const seen = await withTenant(tenants.tenantPool, 'tenant-b', async (client) => {
        const counts = (await client.query<{ all: number; of_a: number }>(`SELECT count(*)::int AS all, count(*) FILTER (WHERE tenant_id = 'demo')::int AS of_a FROM ${sql}`)).rows[0]!;
        await client.query('SAVEPOINT attempt');
        const updated = table.privileges.includes('UPDATE') ? (await client.query(`UPDATE ${sql} SET tenant_id = tenant_id WHERE tenant_id = 'demo'`)).rowCount : 0;
        const deleted = table.privileges.includes('DELETE') ? (await client.query(`DELETE FROM ${sql} WHERE tenant_id = 'demo'`)).rowCount : 0;
        await client.query('ROLLBACK TO SAVEPOINT attempt');
        return { all: counts.all, ofA: counts.of_a, updated, deleted };
      });
      expect({ table: table.name, ...seen }).toEqual({ table: table.name, all: rowsOfB, ofA: 0, updated: 0, deleted: 0 });
      checked.push(table.name);
    }
    expect(checked).toEqual(expect.arrayContaining(knownTenantTables.filter((name) => !closedTables.includes(name))));
  });

  it('refuses to start as an application role with BYPASSRLS, naming the variable and the reason', async () => {
    const refused = devMode({ APP_DATABASE_URL: loginUrl(bypassing), PORT: '0', DEMO: 'false', DEV_DATA_DIR: `${dataDir}-refused` });
    expect(await refused.exited()).toBe(1);
    expect(refused.output()).toContain(`APP_DATABASE_URL: the application role "${bypassing}" has BYPASSRLS, and row-level security does not hold for it`);
    rmSync(`${dataDir}-refused`, { recursive: true, force: true });
  });
});

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startCluster, type Cluster } from '@agent-orchestrator/cluster';
import { testBrokers, testDatabaseUrl, uniqueTopicPrefix } from '@agent-orchestrator/testing';
import pg from 'pg';
import { checkedFetch } from './e2e/answer-check.js';
import { analysisBudgetScenario, sessionAnalysisScenario } from './e2e/session-analysis.behaviour.js';

const root = join(import.meta.dirname, '../../..');
const adminKey = randomBytes(32).toString('base64url');
const platformAdminKey = randomBytes(32).toString('base64url');
const suffix = randomBytes(4).toString('hex');
const schemas = { eventStore: `an_es_${suffix}`, readModels: `an_rm_${suffix}`, gateway: `an_gw_${suffix}`, secrets: `an_sec_${suffix}` };

/** "Analyze with an LLM" in cluster mode: a process per service, the real Kafka broker and PostgreSQL. */
describe('session analysis in cluster mode, through the public API', () => {
  let cluster: Cluster;
  let pool: pg.Pool;
  const output: string[] = [];

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
    cluster = await startCluster({
      root,
      databaseUrl: testDatabaseUrl(),
      kafkaBrokers: testBrokers(),
      bootstrapAdminApiKey: adminKey,
      bootstrapTenant: 'acme',
      platformAdminApiKey: platformAdminKey,
      topicPrefix: uniqueTopicPrefix('analysis'),
      eventStoreSchema: schemas.eventStore,
      readModelSchema: schemas.readModels,
      gatewaySchema: schemas.gateway,
      env: { SECRETS_KEY: randomBytes(32).toString('base64'), SECRETS_SCHEMA: schemas.secrets },
      onOutput: (service, line) => output.push(`${service}: ${line}`),
      // Eight processes compiling at once on a loaded machine: give them time rather than fail.
      startTimeoutMs: 240_000,
    });
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
    for (const schema of Object.values(schemas)) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  afterEach(() => {
    const failed = expect.getState().assertionCalls !== expect.getState().numPassingAsserts;
    if (failed) console.log(output.slice(-80).join('\n'));
  });

  it("analyses a failed demo session: the findings name the failure, the model saw personal data redacted only, another tenant's key gets 404", async () => {
    const created = await checkedFetch(`${cluster.gatewayUrl}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platformAdminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: `globex-${suffix}`, name: 'Globex' }),
    });
    expect(created.status).toBe(201);
    const { adminApiKey } = (await created.json()) as { adminApiKey: string };
    await sessionAnalysisScenario({ url: cluster.gatewayUrl, key: adminKey }, { url: cluster.gatewayUrl, key: adminApiKey });
  }, 300_000);

  it("counts an analysis in /v1/usage under the Analyst, and refuses one that would cross the tenant's budget, making no model call", async () => {
    await analysisBudgetScenario({ url: cluster.gatewayUrl, key: adminKey });
  }, 300_000);
});

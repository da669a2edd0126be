import { randomBytes, randomUUID } from 'node:crypto';
import { defaultPriceTable, pricesStream, type CommandMetadata } from '@agent-orchestrator/contracts';
import { readProjectionStatuses } from '@agent-orchestrator/projections';
import { openPlatform, parsePlatformConfig, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { testBrokers, testDatabaseUrl, uniqueTopicPrefix, waitFor } from '@agent-orchestrator/testing';
import { parseObservabilityConfig } from './config.js';
import { startObservability } from './service.js';

const suffix = randomBytes(4).toString('hex');
const schemas = { eventStore: `t_obs_es_${suffix}`, readModels: `t_obs_rm_${suffix}` };

/** The observability service on real Kafka and PostgreSQL: prices from configuration and commands, and the usage projection's operations. */
describe('the observability service', () => {
  let platform: Platform;
  let running: RunningService | undefined;
  const start = async (env: Record<string, string> = {}) => {
    running = await startObservability(platform, parseObservabilityConfig(env));
  };

  beforeAll(async () => {
    platform = await openPlatform(
      parsePlatformConfig(
        { DATABASE_URL: testDatabaseUrl(), KAFKA_BROKERS: testBrokers().join(','), TOPIC_PREFIX: uniqueTopicPrefix('observability'), EVENT_STORE_SCHEMA: schemas.eventStore, READ_MODEL_SCHEMA: schemas.readModels, LOG_LEVEL: 'silent', EVENT_POLL_MS: '10' },
        'observability',
      ),
      'observability',
    );
  });
  afterAll(async () => {
    await running?.stop();
    await platform?.pool.query(`DROP SCHEMA IF EXISTS ${schemas.eventStore} CASCADE; DROP SCHEMA IF EXISTS ${schemas.readModels} CASCADE`);
    await platform?.close();
  });

  const versions = async () => (await platform.store.readStream(pricesStream, { maxCount: 1000 })).map((event) => event.data as { version: number; source: string; effectiveFrom: string; prices: object });

  it('records MODEL_PRICES as the first price version at its first start, and nothing again when a restart offers the same table', async () => {
    const configured = '{"llama-local": {"inputUsdPerMillion": 0.1, "outputUsdPerMillion": 0.2}}';
    await start({ MODEL_PRICES: configured });
    await running!.stop();
    await start({ MODEL_PRICES: configured });
    expect(await versions()).toEqual([{ version: 1, source: 'configuration', effectiveFrom: '1970-01-01T00:00:00.000Z', prices: { ...defaultPriceTable, 'llama-local': { inputUsdPerMillion: 0.1, outputUsdPerMillion: 0.2 } } }]);
  });

  it('records a SetModelPrices command from Kafka as the next version, once, however often it is delivered', async () => {
    const commandId = randomUUID();
    const metadata: CommandMetadata = { tenantId: 'platform', correlationId: commandId, causationId: commandId, actor: { kind: 'user', id: 'platform-admin:test' }, traceparent: null, now: new Date().toISOString(), eventIds: [] };
    const message = JSON.stringify({ commandId, command: { type: 'SetModelPrices', prices: { '*': { inputUsdPerMillion: 1, outputUsdPerMillion: 1 } }, effectiveFrom: '2026-11-01T00:00:00.000Z', metadata } });
    const send = () => platform.producer.send([{ topic: platform.topics.commands('observability'), key: pricesStream, value: message }]);
    await send();
    await send();
    const recorded = await waitFor('the second price version', async () => ((await versions()).some((version) => version.version === 2) ? versions() : undefined), { timeoutMs: 60_000 });
    // A third command after the two deliveries: once it is in, the redelivery had its chance to add a version.
    await platform.producer.send([{ topic: platform.topics.commands('observability'), key: pricesStream, value: message.replaceAll(commandId, randomUUID()) }]);
    await waitFor('the third price version', async () => ((await versions()).length >= 3 ? true : undefined), { timeoutMs: 60_000 });
    expect(recorded.find((version) => version.version === 2)).toMatchObject({ source: 'api', effectiveFrom: '2026-11-01T00:00:00.000Z' });
    expect((await versions()).map((version) => version.version)).toEqual([1, 2, 3]);
  });

  it('rebuilds the usage projection on a RebuildProjection command, which the process hosting it consumes in its own group', async () => {
    const operationId = randomUUID();
    await platform.producer.send([{ topic: platform.topics.commands('projections'), key: 'usage', value: JSON.stringify({ commandId: randomUUID(), command: { type: 'RebuildProjection', operationId, projection: 'usage' } }) }]);
    const status = await waitFor(
      'the rebuild of usage to succeed',
      async () => {
        const [row] = await readProjectionStatuses(platform.pool, schemas.readModels, { stallAfterMs: Infinity, heartbeatStaleAfterMs: Infinity }, 'usage');
        return row?.operation?.operationId === operationId && row.operation.status !== 'running' ? row.operation : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(status).toMatchObject({ kind: 'rebuild', status: 'succeeded' });
  });
});

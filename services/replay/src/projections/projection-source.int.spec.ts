import { randomBytes, randomUUID } from 'node:crypto';
import { projectionCommandMessageSchema, type EventEnvelope } from '@agent-orchestrator/contracts';
import { ProjectionOperations, ProjectionRunner, type Projection } from '@agent-orchestrator/projections';
import { openPlatform, parsePlatformConfig, startCommandConsumer, type Platform } from '@agent-orchestrator/service-host';
import { planRequested, testBrokers, testDatabaseUrl, uniqueStream, uniqueTopicPrefix } from '@agent-orchestrator/testing';
import { DataSource, type EntityManager } from 'typeorm';
import type { ExecutionContext } from '../operations/item-source.js';
import { ProjectionSource } from './projection-source.js';

const suffix = randomBytes(4).toString('hex');
const schemas = { eventStore: `t_projsrc_es_${suffix}`, readModels: `t_projsrc_rm_${suffix}` };

/** Planners per stream; the CHECK refuses `Poison`, so an event can be quarantined and retried after a fix. */
function planners(schema: string): Projection {
  const rows = `"${schema}".planners`;
  return {
    name: 'planners',
    version: 1,
    readModelTables: { schema, names: ['planners'] },
    inSchema: (other) => planners(other),
    setUp: async (m) => void (await m.query(`CREATE TABLE IF NOT EXISTS ${rows} (stream_id text PRIMARY KEY, planner text NOT NULL CONSTRAINT no_poison CHECK (planner <> 'Poison'))`)),
    reset: async (m) => void (await m.query(`TRUNCATE ${rows}`)),
    apply: async (event: EventEnvelope, m: EntityManager) => {
      if (event.type !== 'PlanRequested') return;
      await m.query(`INSERT INTO ${rows} (stream_id, planner) VALUES ($1, $2) ON CONFLICT (stream_id) DO UPDATE SET planner = excluded.planner`, [event.streamId, (event.data as { planner: string }).planner]);
    },
  };
}

/** The projection source against the process hosting the projections, through commands.projections on the real broker. */
describe('the projection item source', () => {
  let platform: Platform;
  let dataSource: DataSource;
  let runner: ProjectionRunner;
  let consumer: { stop(): Promise<void> };
  let source: ProjectionSource;
  const platformScope = { kind: 'platform' } as const;

  beforeAll(async () => {
    platform = await openPlatform(
      parsePlatformConfig({ DATABASE_URL: testDatabaseUrl(), KAFKA_BROKERS: testBrokers().join(','), TOPIC_PREFIX: uniqueTopicPrefix('projsrc'), EVENT_STORE_SCHEMA: schemas.eventStore, READ_MODEL_SCHEMA: schemas.readModels, LOG_LEVEL: 'silent', EVENT_POLL_MS: '10' }, 'orchestrator'),
      'orchestrator',
    );
    await platform.pool.query(`CREATE SCHEMA IF NOT EXISTS ${schemas.readModels}`);
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), schema: schemas.readModels, poolSize: 4 }).initialize();
    for (let i = 0; i < 30; i++) await platform.store.append(uniqueStream(), [planRequested({ data: { planner: `Planner-${i}`, attempt: 1 } })]);
    const poisoned = await platform.store.append(uniqueStream(), [planRequested({ data: { planner: 'Poison', attempt: 1 } })]);
    runner = new ProjectionRunner(planners(schemas.readModels), { store: platform.store, dataSource, schema: schemas.readModels, batchSize: 5, statusIntervalMs: 100, quarantine: { attempts: 1, windowMs: 0 } });
    await (await runner.start()).waitFor(poisoned.position);
    // As the orchestrator hosts them: the operations run on commands from commands.projections.
    const operations = new ProjectionOperations([runner], { dataSource, schema: schemas.readModels, progressIntervalMs: 50 });
    consumer = await startCommandConsumer(platform, 'projections', projectionCommandMessageSchema, async ({ value }) => void (await operations.accept(value.command)));
    source = new ProjectionSource({ db: platform.pool, schema: schemas.readModels, producer: platform.producer, topics: platform.topics, limits: { stallAfterMs: 10_000, heartbeatStaleAfterMs: 10_000 }, pollMs: 50 });
  }, 90_000);
  afterAll(async () => {
    await consumer?.stop();
    await runner?.stop();
    await dataSource?.destroy();
    await platform?.pool.query(`DROP SCHEMA IF EXISTS ${schemas.eventStore} CASCADE; DROP SCHEMA IF EXISTS ${schemas.readModels} CASCADE`);
    await platform?.close();
  });

  const context = (progress: [number, number][] = []): ExecutionContext => ({ operationId: randomUUID(), scope: platformScope, onProgress: (done, total) => progress.push([done, total]) });

  it("matches only the platform admin's operations, by the projection's name; a retry without one takes those holding quarantined events", async () => {
    expect(await source.match('rebuild-projection', { projection: 'planners' }, { kind: 'tenant', tenantId: 'acme' })).toEqual([]);
    expect(await source.match('rebuild-projection', { projection: 'nowhere' }, platformScope)).toEqual([]);
    expect(await source.match('rebuild-projection', {}, platformScope)).toEqual([]);
    const [item] = await source.match('rebuild-projection', { projection: 'planners' }, platformScope);
    expect(item).toMatchObject({ itemId: 'planners', source: 'projection', tenantId: null, repeatsSideEffect: false, label: expect.stringContaining('rebuild planners v1') });
    expect(await source.match('retry-quarantined', {}, platformScope)).toEqual([expect.objectContaining({ itemId: 'planners', label: expect.stringContaining('1 quarantined') })]);
  });

  it('rebuilds through the hosting process, passing its progress on, and skips the same operation run again', async () => {
    const [item] = await source.match('rebuild-projection', { ids: ['planners'] }, platformScope);
    const progress: [number, number][] = [];
    const run = context(progress);
    const result = await source.execute('rebuild-projection', item!, run);
    expect(result).toEqual({ outcome: 'succeeded', detail: '31 events applied, 1 quarantined' });
    expect(progress.at(-1)).toEqual([31, 31]);
    expect((await platform.pool.query(`SELECT count(*)::int AS n FROM ${schemas.readModels}.planners`)).rows[0].n).toBe(30);
    // The runner's at-least-once redelivery, or the operation runner after a crash: nothing runs twice.
    expect(await source.execute('rebuild-projection', item!, run)).toEqual({ outcome: 'skipped', detail: 'already succeeded for this operation: 31 events applied, 1 quarantined' });
  }, 60_000);

  it('retries the quarantined events after a fix', async () => {
    await platform.pool.query(`ALTER TABLE ${schemas.readModels}.planners DROP CONSTRAINT no_poison`);
    const [item] = await source.match('retry-quarantined', {}, platformScope);
    expect(await source.execute('retry-quarantined', item!, context())).toEqual({ outcome: 'succeeded', detail: '1 applied, 0 still refused' });
    expect(await runner.quarantined()).toEqual([]);
  }, 60_000);
});

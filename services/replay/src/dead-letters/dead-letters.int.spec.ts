import { topicNames } from '@agent-orchestrator/contracts';
import { connectKafka, InProcessBroker, jsonDecoder, kafkaBroker, MessagingError, type Broker, type RunningConsumer } from '@agent-orchestrator/messaging';
import { DeadLetterIndex, DeadLetterQueries } from '@agent-orchestrator/read-models';
import { createTestSchema, testBrokers, uniqueTopicPrefix, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import { z } from 'zod';
import type { ExecutionContext } from '../operations/item-source.js';
import { startDeadLetterIndexing, type DeadLetterIndexing } from './dead-letter-indexing.js';
import { DeadLetterSource } from './dead-letter-source.js';

const silent = pino({ level: 'silent' });
const job = z.strictObject({ n: z.number(), bad: z.boolean().optional() });
const platform = { kind: 'platform' } as const;

/**
 * The dead-letter path on each transport: a consumer that fails on a bad message dead-letters it,
 * the index lists it, and the dead-letter source redrives it to that group alone or discards it.
 */
describe.each([
  ['a real Kafka broker', () => kafkaBroker(connectKafka({ brokers: testBrokers(), clientId: 'dead-letters-spec', logger: silent }))],
  ['the in-process transport', () => new InProcessBroker(silent)],
] as const)('dead letters on %s', (_transport, openBroker) => {
  const topics = topicNames(uniqueTopicPrefix('dead-letters'));
  const jobs = `${topics.prefix}jobs`;
  let db: TestSchema;
  let broker: Broker;
  let index: DeadLetterIndex;
  let queries: DeadLetterQueries;
  let indexing: DeadLetterIndexing;
  const consumers: RunningConsumer[] = [];
  /** The switch in the handler: while on, group A rejects bad jobs for good. */
  let broken = true;
  const handled: Record<'a' | 'b', number[]> = { a: [], b: [] };
  const source = (maxRedrives = 3) => new DeadLetterSource({ queries, index, producer: broker.producer, topics, maxRedrives });
  const context = (operationId: string, reason?: string): ExecutionContext => ({ operationId, scope: platform, ...(reason === undefined ? {} : { reason }) });
  const send = (n: number, bad = false) => broker.producer.send([{ topic: jobs, key: 'one-key', value: JSON.stringify({ n, ...(bad ? { bad } : {}) }), headers: { 'tenant-id': 'tenant-a' } }]);

  const consume = async (name: 'a' | 'b') => {
    const group = `group-${name}`;
    await broker.ensureTopics([{ name: topics.deadLetters(group), partitions: 1 }]);
    consumers.push(
      await broker.consume<z.infer<typeof job>>({
        groupId: topics.consumerGroup(group),
        topics: [jobs],
        decode: jsonDecoder(job),
        handle: async ({ value }) => {
          if (name === 'a' && value.bad && broken) throw new MessagingError('Rejected', `job ${value.n} is bad`);
          handled[name].push(value.n);
        },
        deadLetters: { producer: broker.producer, topic: topics.deadLetters(group) },
        retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 5 },
        sessionTimeoutMs: 10_000,
        logger: silent,
      }),
    );
  };

  beforeAll(async () => {
    db = await createTestSchema('replay_dead_letters');
    broker = openBroker();
    await broker.ensureTopics([{ name: jobs, partitions: 1 }]);
    const database = await db.tenantDatabase();
    index = new DeadLetterIndex(db.pool, db.schema, database.appRole.name);
    await index.setUp();
    queries = new DeadLetterQueries(database, db.schema);
    await consume('a');
    // Started before group b's dead-letter topic exists: the rescan must find it.
    indexing = await startDeadLetterIndexing({ broker, producer: broker.producer, topics, index, logger: silent, rescanMs: 200 });
    await consume('b');
  }, 60_000);
  afterAll(async () => {
    await indexing?.stop();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await broker?.close();
    await db?.dispose();
  });

  it('indexes every dead-letter topic of the prefix, those made after it started too', async () => {
    await waitFor('the index consuming both groups', () => indexing.topics().length === 2, { timeoutMs: 20_000 });
    expect(indexing.topics()).toEqual([topics.deadLetters('group-a'), topics.deadLetters('group-b')]);
  });

  it('lists the dead letter of the group that failed, with its reason and source, and a dry run matches exactly it and changes nothing', async () => {
    await send(1);
    await send(2, true);
    await send(3);
    await waitFor('both groups past the three jobs', () => handled.a.length === 2 && handled.b.length === 3, { timeoutMs: 30_000 });
    const [dead] = await waitFor('the dead letter indexed', async () => {
      const { items } = await queries.list(platform, {}, { limit: 10 });
      return items.length === 1 && items;
    }, { timeoutMs: 30_000 });
    expect(dead).toMatchObject({ tenantId: 'tenant-a', consumer: 'group-a', errorCode: 'Rejected', reason: 'job 2 is bad', sourceTopic: jobs, sourcePartition: 0, sourceOffset: '1', status: 'pending', attempts: 1 });

    const items = await source().match('redrive', { consumer: 'group-a' }, platform);
    expect(items.map((item) => item.itemId)).toEqual([dead!.id]);
    expect(items[0]).toMatchObject({ source: 'dead-letter', tenantId: 'tenant-a', consumer: 'group-a', code: 'Rejected', repeatsSideEffect: false });
    expect(await source().match('redrive', { consumer: 'group-b' }, platform)).toEqual([]);
    expect(await queries.get(platform, dead!.id)).toMatchObject({ status: 'pending', redriveCount: 0 });
  });

  it('redrives it to the group that failed alone, which handles it once fixed; a second redrive of it is skipped', async () => {
    const [item] = await source().match('redrive', { consumer: 'group-a' }, platform);
    broken = false;
    expect(await source().execute('redrive', item!, context('op-redrive'))).toMatchObject({ outcome: 'succeeded' });
    await send(4);
    await waitFor('group a handling the redriven job, and both the next one', () => handled.a.length === 4 && handled.b.length === 4, { timeoutMs: 30_000 });
    expect(handled).toEqual({ a: [1, 3, 2, 4], b: [1, 2, 3, 4] });
    expect(await queries.get(platform, item!.itemId)).toMatchObject({ status: 'redriven', redriveCount: 1, actedBy: 'op-redrive' });
    expect(await source().execute('redrive', item!, context('op-again'))).toEqual({ outcome: 'skipped', detail: 'already redriven by operation op-redrive' });
  });

  it('counts a redriven message that fails again on the same row, and refuses it past the redrive limit', async () => {
    broken = true;
    await send(5, true);
    const first = await waitFor('the second dead letter', async () => (await source().match('redrive', { consumer: 'group-a' }, platform))[0], { timeoutMs: 30_000 });
    expect(await source().execute('redrive', first, context('op-1'))).toMatchObject({ outcome: 'succeeded' });
    const again = await waitFor('the redriven job failed again, on the same row', async () => {
      const row = await queries.get(platform, first.itemId);
      return row?.status === 'pending' && row;
    }, { timeoutMs: 30_000 });
    expect(again).toMatchObject({ redriveCount: 1, attempts: 2 });
    expect((await queries.list(platform, { consumer: 'group-a' }, { limit: 10 })).items).toHaveLength(2);
    expect(await source(1).execute('redrive', first, context('op-2'))).toEqual({ outcome: 'skipped', detail: expect.stringContaining('redriven 1 times already: the limit is 1') });
    expect(await queries.get(platform, first.itemId)).toMatchObject({ status: 'pending' });
  });

  it('discards with the reason, and only with one', async () => {
    const [item] = await source().match('discard', { consumer: 'group-a' }, platform);
    expect(await source().execute('discard', item!, context('op-3'))).toEqual({ outcome: 'failed', detail: 'a discard needs a reason' });
    expect(await source().execute('discard', item!, context('op-3', 'job 5 is wrong at the source'))).toEqual({ outcome: 'succeeded', detail: 'discarded: job 5 is wrong at the source' });
    expect(await queries.get(platform, item!.itemId)).toMatchObject({ status: 'discarded', discardReason: 'job 5 is wrong at the source', actedBy: 'op-3' });
    expect(await source().match('redrive', {}, platform)).toEqual([]);
  });
});

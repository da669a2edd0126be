import { join } from 'node:path';
import { comparePositions, topicNames } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import {
  collectMessages,
  createTestSchema,
  planRequestedBatch,
  spawnFixture,
  testKafka,
  uniqueTopicPrefix,
  waitFor,
  type RunningFixture,
  type TestSchema,
} from '@agent-orchestrator/testing';
import type { Kafka } from 'kafkajs';
import { eventDecoder } from './codec.js';
import { ensureTopics } from './kafka.js';
import { MessageProducer } from './producer.js';
import { startRelay } from './relay.js';

const fixture = join(import.meta.dirname, '..', 'test', 'relay.fixture.ts');
const decode = eventDecoder();

describe('the relay', () => {
  const topics = topicNames(uniqueTopicPrefix('relay'));
  let db: TestSchema;
  let store: PostgresEventStore;
  let kafka: Kafka;
  const processes: RunningFixture[] = [];

  beforeAll(async () => {
    db = await createTestSchema('relay');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    kafka = testKafka('relay-spec');
    await ensureTopics(kafka, topics.all());
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await store.close();
    await db.dispose();
  });

  const startRelayProcess = () => {
    const p = spawnFixture(fixture, { DATABASE_URL: db.connectionString, SCHEMA: db.schema, TOPIC_PREFIX: topics.prefix, BATCH_SIZE: '40' });
    processes.push(p);
    return p;
  };
  const checkpoint = () => store.checkpoints.load('kafka-relay');

  it('publishes every event at least once, in stream order, across a crash', async () => {
    const streams = Array.from({ length: 12 }, (_, i) => `session-relay-${i}`);
    const appended: string[] = [];
    let last = '';
    const appendRound = async () => {
      for (const stream of streams) {
        const events = planRequestedBatch(5);
        last = (await store.append(stream, events)).position;
        appended.push(...events.map((e) => e.eventId));
      }
    };
    await appendRound();

    const first = startRelayProcess();
    await waitFor('the relay to publish and checkpoint something', checkpoint, { timeoutMs: 60_000 });
    const writing = (async () => {
      for (let round = 0; round < 6; round++) await appendRound();
    })();
    await waitFor('the relay to be part-way through', async () => (await checkpoint()) !== undefined && appended.length > 120, { timeoutMs: 60_000 });
    await first.kill();
    await writing;

    // The last append's position, which the restarted relay must reach. Readers see it only once every
    // older transaction in the cluster (transaction ids are cluster-wide) has ended, so the relay may
    // take a moment longer when a parallel spec holds one open, but it may never stop short of it.
    startRelayProcess();
    await waitFor('the restarted relay to reach the end of the log', async () => {
      const at = await checkpoint();
      return at !== undefined && comparePositions(at, last) >= 0;
    }, { timeoutMs: 60_000 });

    const published = await collectMessages(kafka, topics.events('session'), (m) => new Set(m.map((x) => x.message.headers?.['event-id']?.toString())).size >= appended.length);
    const events = published.map(({ message }) => decode(message));
    expect(new Set(events.map((e) => e.eventId))).toEqual(new Set(appended));
    // Duplicates (a batch republished after the crash) are allowed; order within a stream is not negotiable.
    for (const stream of streams) {
      const versions = events.filter((e) => e.streamId === stream).map((e) => e.streamVersion);
      const firstSeen = versions.filter((v, i) => versions.indexOf(v) === i);
      expect({ stream, firstSeen }).toEqual({ stream, firstSeen: Array.from({ length: 35 }, (_, i) => i) });
      expect(published.filter((p) => decode(p.message).streamId === stream).every((p, _, all) => p.partition === all[0]!.partition)).toBe(true);
    }
  });

  it('does not move its checkpoint while the broker refuses the batch', async () => {
    const producer = new MessageProducer(testKafka('relay-missing-topic'));
    const errors: unknown[] = [];
    // No topic for this stream category: every send fails, so the checkpoint must stay put.
    const subscriptionId = 'relay-without-topics';
    const relay = startRelay({ store, producer, topics: topicNames(`${topics.prefix}missing.`), subscriptionId, onError: (e) => errors.push(e) });
    await waitFor('the relay to report the refused batch', () => errors.length > 0, { timeoutMs: 60_000 });
    await relay.stop();
    await producer.disconnect();
    expect(await store.checkpoints.load(subscriptionId)).toBeUndefined();
  });
});

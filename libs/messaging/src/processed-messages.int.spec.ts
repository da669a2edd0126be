import { join } from 'node:path';
import { topicNames, type EventEnvelope } from '@agent-orchestrator/contracts';
import { createTestSchema, planRequested, spawnFixture, testKafka, uniqueTopicPrefix, waitFor, type RunningFixture, type TestSchema } from '@agent-orchestrator/testing';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { encodeEvent } from './codec.js';
import { ensureTopics } from './kafka.js';
import { MessageProducer } from './producer.js';

const fixture = join(import.meta.dirname, '..', 'test', 'effect-consumer.fixture.ts');

describe('a consumer killed mid-batch', () => {
  const topics = topicNames(uniqueTopicPrefix('killed'));
  const topic = topics.events('session');
  const group = 'effects';
  let db: TestSchema;
  let kafka: Kafka;
  let producer: MessageProducer;
  const processes: RunningFixture[] = [];

  beforeAll(async () => {
    db = await createTestSchema('killed_consumer');
    const s = pg.escapeIdentifier(db.schema);
    await db.pool.query(`CREATE TABLE ${s}.effects (event_id uuid NOT NULL, stream_id text NOT NULL, stream_version int NOT NULL)`);
    await db.pool.query(`CREATE TABLE ${s}.deliveries (event_id uuid NOT NULL)`);
    kafka = testKafka('killed-consumer-spec');
    await ensureTopics(kafka, [
      { name: topic, partitions: 2 },
      { name: topics.deadLetters(group), partitions: 1 },
    ]);
    producer = new MessageProducer(kafka);
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await producer.disconnect();
    await db.dispose();
  });

  const count = async (sql: string): Promise<number> => Number((await db.pool.query<{ n: string }>(sql.replaceAll('$s', pg.escapeIdentifier(db.schema)))).rows[0]!.n);
  const start = () => {
    const p = spawnFixture(fixture, {
      SCHEMA: db.schema,
      GROUP: group,
      TOPIC: topic,
      DLQ_TOPIC: topics.deadLetters(group),
      DATABASE_URL: db.connectionString,
      HANDLE_DELAY_MS: '10',
    });
    processes.push(p);
    return p;
  };

  it('is redelivered what it handled but did not commit, and the helper drops the duplicates', async () => {
    const events: EventEnvelope[] = Array.from({ length: 240 }, (_, i) => ({
      ...planRequested(),
      streamId: `session-${i % 8}`,
      streamVersion: Math.floor(i / 8),
      globalPosition: String(i),
    }));
    await producer.send(events.map((e) => encodeEvent(e, topic)));

    const first = start();
    await waitFor('the first consumer to handle part of the topic', async () => (await count('SELECT count(*) AS n FROM $s.effects')) >= 60, { timeoutMs: 60_000 });
    await first.kill();
    const handledBeforeCrash = await count('SELECT count(*) AS n FROM $s.effects');
    expect(handledBeforeCrash).toBeLessThan(events.length);

    const second = start();
    await waitFor('every event handled', async () => (await count('SELECT count(DISTINCT event_id) AS n FROM $s.effects')) === events.length, { timeoutMs: 60_000 });
    // Let the second consumer commit, so every redelivery has been seen.
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(
      'the group to commit the end of the topic',
      async () => (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) === events.length,
      { timeoutMs: 60_000 },
    );
    await admin.disconnect();
    await second.kill();

    expect(await count('SELECT count(*) AS n FROM $s.effects')).toBe(events.length);
    const deliveries = await count('SELECT count(*) AS n FROM $s.deliveries');
    expect(deliveries).toBeGreaterThan(events.length); // the crash really caused redeliveries
    const { rows } = await db.pool.query<{ stream_id: string; versions: number[] }>(
      `SELECT stream_id, array_agg(stream_version ORDER BY stream_version) AS versions FROM ${pg.escapeIdentifier(db.schema)}.effects GROUP BY stream_id`,
    );
    for (const row of rows) expect(row.versions).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });
});

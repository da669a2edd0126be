import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { ensureTopics, jsonDecoder, MessageProducer, startConsumer, type RunningConsumer } from '@agent-orchestrator/messaging';
import { ProjectionEventError, ProjectionRunner, type Projection } from '@agent-orchestrator/projections';
import { createTestSchema, planRequested, testKafka, uniqueStream, uniqueTopicPrefix, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { startHealthServer, type HealthServer } from './health-server.js';
import { Readiness, type ReadinessReport } from './readiness.js';

/** Refuses the planner `Poison`; holds the planner `Blocked` until the test lets it go. */
function gated(gate: { release: () => void; held: Promise<void> }): Projection {
  return {
    name: 'gated',
    version: 1,
    setUp: async () => undefined,
    reset: async () => undefined,
    apply: async (event: EventEnvelope) => {
      const { planner } = event.data as { planner?: string };
      if (planner === 'Poison') throw new ProjectionEventError('the planner Poison is refused');
      if (planner === 'Blocked') await gate.held;
    },
  };
}

describe('readiness: /readyz over real consumers and projections', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let runner: ProjectionRunner;
  let consumer: RunningConsumer;
  let producer: MessageProducer;
  let server: HealthServer;
  const kafka = testKafka('readiness-spec');
  const topic = `${uniqueTopicPrefix('readiness')}orders`;
  const gate = { release: () => {}, held: Promise.resolve() };
  gate.held = new Promise<void>((resolve) => (gate.release = resolve));
  let handled = 0;

  beforeAll(async () => {
    db = await createTestSchema('readiness');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    dataSource = await new DataSource({ type: 'postgres', url: db.connectionString, schema: db.schema, poolSize: 4 }).initialize();
    const readiness = new Readiness(300);
    runner = new ProjectionRunner(gated(gate), { store, dataSource, schema: db.schema, quarantine: { attempts: 2, windowMs: 100 } });
    await runner.start();
    readiness.register('projection:gated', 'projection', () => runner.status());
    await ensureTopics(kafka, [{ name: topic, partitions: 2 }, { name: `${topic}.dlq`, partitions: 1 }]);
    producer = new MessageProducer(kafka);
    consumer = await startConsumer({
      kafka,
      groupId: `${topic}.group`,
      topics: [topic],
      decode: jsonDecoder(z.object({ n: z.number() })),
      deadLetters: { producer, topic: `${topic}.dlq` },
      handle: async () => void handled++,
    });
    readiness.register(consumer.groupId, 'consumer', async () => ({ ...(await consumer.progress()), position: handled }));
    server = await startHealthServer(readiness, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    gate.release();
    await server.close();
    await consumer.stop();
    await producer.disconnect();
    await runner.stop();
    await dataSource.destroy();
    await store.close();
    await db.dispose();
  });

  const readyz = async () => {
    const answer = await fetch(`${server.url}/readyz`);
    return { status: answer.status, body: (await answer.json()) as ReadinessReport };
  };
  const check = (body: ReadinessReport, name: string) => body.checks.find((candidate) => candidate.name === name);

  it('is ready once the projection and the consumer have caught up', async () => {
    await store.append(uniqueStream(), [planRequested()]);
    await producer.send([0, 1, 2, 3].map((n) => ({ topic, key: `k${n}`, value: JSON.stringify({ n }) })));
    const ready = await waitFor('caught up', async () => {
      const answer = await readyz();
      return answer.status === 200 && answer.body.checks.every((c) => c.lag === 0) && answer.body;
    });
    expect(handled).toBe(4);
    expect(ready).toEqual({
      status: 'ready',
      checks: [
        { name: consumer.groupId, kind: 'consumer', lag: 0, stalled: false, quarantined: 0 },
        { name: 'projection:gated', kind: 'projection', lag: 0, stalled: false, quarantined: 0 },
      ],
    });
  });

  it('answers 503 naming a projection that is behind and not advancing, and 200 again once it moves', async () => {
    await store.append(uniqueStream(), [planRequested({ data: { planner: 'Blocked', attempt: 1 } })]);
    await store.append(uniqueStream(), [planRequested()]);
    const stalled = await waitFor('a stalled projection', async () => {
      const answer = await readyz();
      return answer.status === 503 && answer.body;
    });
    gate.release();
    expect(stalled.status).toBe('not_ready');
    // At least the held event; the one after it may not be visible yet, behind the held transaction.
    expect(check(stalled, 'projection:gated')).toMatchObject({ stalled: true, lag: expect.any(Number) });
    expect(check(stalled, 'projection:gated')!.lag).toBeGreaterThanOrEqual(1);
    expect(check(stalled, consumer.groupId)).toMatchObject({ stalled: false });
    await waitFor('ready again', async () => (await readyz()).status === 200);
  });

  it('lists a quarantined event but stays ready', async () => {
    await store.append(uniqueStream(), [planRequested({ data: { planner: 'Poison', attempt: 1 } })]);
    const answer = await waitFor('the poison quarantined', async () => {
      const reading = await readyz();
      return check(reading.body, 'projection:gated')?.quarantined === 1 && reading;
    });
    expect(answer.status).toBe(200);
    expect(check(answer.body, 'projection:gated')).toEqual({ name: 'projection:gated', kind: 'projection', lag: 0, stalled: false, quarantined: 1 });
  });
});

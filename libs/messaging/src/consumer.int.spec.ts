import { messageHeaders, topicNames, type EventEnvelope } from '@agent-orchestrator/contracts';
import { collectMessages, planRequested, testKafka, uniqueTopicPrefix, waitFor } from '@agent-orchestrator/testing';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { encodeEvent, eventDecoder, jsonDecoder } from './codec.js';
import { startConsumer, type RunningConsumer } from './consumer.js';
import { MessagingError } from './errors.js';
import { ensureTopics } from './kafka.js';
import { MessageProducer } from './producer.js';

describe('the consumer loop on a real broker', () => {
  const topics = topicNames(uniqueTopicPrefix('consumer'));
  let kafka: Kafka;
  let producer: MessageProducer;
  const running: RunningConsumer[] = [];

  beforeAll(async () => {
    kafka = testKafka('consumer-spec');
    producer = new MessageProducer(kafka);
    await producer.connect();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await producer.disconnect();
  });

  const topic = async (name: string, partitions: number) => {
    const full = `${topics.prefix}${name}`;
    await ensureTopics(kafka, [{ name: full, partitions }]);
    return full;
  };

  it('keeps each key in order under load, across partitions and group members', async () => {
    const orders = await topic('orders', 6);
    const keys = Array.from({ length: 40 }, (_, i) => `stream-${i}`);
    const perKey = 75;
    const seen = new Map<string, number[]>();
    // Decoders are built outside the options object: inside it, TypeScript would infer the
    // decoder's type from the still-unknown message type instead of from the schema.
    const decode = jsonDecoder(z.object({ key: z.string(), n: z.number() }));
    for (let member = 0; member < 2; member++) {
      running.push(
        await startConsumer({
          kafka,
          groupId: 'ordering',
          topics: [orders],
          decode,
          deadLetters: { producer, topic: topics.deadLetters('ordering') },
          handle: async ({ value }) => {
            seen.set(value.key, [...(seen.get(value.key) ?? []), value.n]);
          },
        }),
      );
    }
    // Interleaved keys, sent in concurrent batches as a busy relay would.
    const messages = Array.from({ length: perKey }, (_, n) => keys.map((key) => ({ topic: orders, key, value: JSON.stringify({ key, n }) }))).flat();
    const batches = Array.from({ length: 10 }, (_, i) => messages.filter((_, j) => j % 10 === i));
    for (const batch of batches) await producer.send(batch);

    await waitFor('every message handled', () => [...seen.values()].reduce((n, list) => n + list.length, 0) >= keys.length * perKey);
    for (const key of keys) {
      const list = seen.get(key)!;
      expect({ key, inOrder: list.every((n, i) => i === 0 || n > list[i - 1]!) }).toEqual({ key, inOrder: true });
    }
  });

  it('goes on with other partitions while one handler is slow, and keeps the slow partition in order', async () => {
    const [slow, quick] = [await topic('slow', 1), await topic('quick', 1)];
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let blocked = false;
    const handled: string[] = [];
    const decode = jsonDecoder(z.object({ n: z.number() }));
    running.push(
      await startConsumer({
        kafka,
        groupId: 'slow-partition',
        topics: [slow, quick],
        decode,
        partitionsConsumedConcurrently: 2,
        deadLetters: { producer, topic: topics.deadLetters('slow-partition') },
        handle: async ({ topic: from, value }) => {
          const name = from === slow ? 'slow' : 'quick';
          if (name === 'slow' && value.n === 0) {
            blocked = true;
            await released;
          }
          handled.push(`${name}-${value.n}`);
        },
      }),
    );
    await producer.send([0, 1].map((n) => ({ topic: slow, key: 'a', value: JSON.stringify({ n }) })));
    await waitFor('the slow handler to be running', async () => blocked);
    await producer.send([0, 1, 2].map((n) => ({ topic: quick, key: 'b', value: JSON.stringify({ n }) })));
    await waitFor('the quick partition handled while the slow one waits', async () => handled.length === 3);
    expect(handled).toEqual(['quick-0', 'quick-1', 'quick-2']);
    release();
    await waitFor('the slow partition handled', async () => handled.length === 5);
    expect(handled.slice(3)).toEqual(['slow-0', 'slow-1']);
  });

  it('dead-letters a poison message with its reason, key and headers, and goes on with the next ones', async () => {
    const events = await topic('events-poison', 1);
    const dlq = topics.deadLetters('poison');
    await ensureTopics(kafka, [{ name: dlq, partitions: 1 }]);
    const handled: string[] = [];
    running.push(
      await startConsumer({
        kafka,
        groupId: 'poison',
        topics: [events],
        decode: eventDecoder(),
        deadLetters: { producer, topic: dlq },
        handle: async ({ value }) => void handled.push(value.eventId),
      }),
    );
    const before = envelope();
    const after = envelope();
    await producer.send([
      encodeEvent(before, events),
      { topic: events, key: 'session-poison', value: '{"not": "an event"', headers: { 'x-origin': 'spec' } },
      { topic: events, key: 'session-poison', value: JSON.stringify({ ...envelope(), data: { planner: 'Planner' } }) },
      encodeEvent(after, events),
    ]);
    await waitFor('both good events handled', () => handled.length === 2);
    expect(handled).toEqual([before.eventId, after.eventId]);

    const dead = await collectMessages(kafka, dlq, (m) => m.length >= 2);
    const [notJson, badData] = dead.map((d) => d.message);
    expect(notJson!.key?.toString()).toBe('session-poison');
    expect(notJson!.value?.toString()).toBe('{"not": "an event"');
    expect(header(notJson!, 'x-origin')).toBe('spec');
    expect(header(notJson!, messageHeaders.dlqReason)).toMatch(/not JSON/);
    expect(header(notJson!, messageHeaders.dlqErrorCode)).toBe('InvalidMessage');
    expect(header(notJson!, messageHeaders.dlqSourceTopic)).toBe(events);
    expect(header(notJson!, messageHeaders.dlqSourceOffset)).toBe('1');
    expect(header(notJson!, messageHeaders.dlqConsumerGroup)).toBe('poison');
    expect(header(badData!, messageHeaders.dlqReason)).toMatch(/PlanRequested v1 data:.*attempt/s);
  });

  it('retries a retryable failure with backoff, and dead-letters at once what the handler rejects', async () => {
    const work = await topic('work', 1);
    const dlq = topics.deadLetters('retrying');
    await ensureTopics(kafka, [{ name: dlq, partitions: 1 }]);
    const attempts = new Map<string, number>();
    const done: string[] = [];
    const decode = jsonDecoder(z.object({ id: z.string() }));
    running.push(
      await startConsumer({
        kafka,
        groupId: 'retrying',
        topics: [work],
        decode,
        deadLetters: { producer, topic: dlq },
        retry: { retries: 3, minTimeoutMs: 10, maxTimeoutMs: 50 },
        handle: async ({ value: { id } }) => {
          const n = (attempts.get(id) ?? 0) + 1;
          attempts.set(id, n);
          if (id === 'flaky' && n <= 2) throw new Error('connection reset');
          if (id === 'refused') {
            // A handler's own error keeps its code and message, whatever it wraps.
            throw new MessagingError('Rejected', 'tool billing.refund is not on the allow-list', { cause: Object.assign(new Error('policy'), { code: 'PolicyDenied' }) });
          }
          if (id === 'broken') throw new Error('downstream keeps timing out');
          done.push(id);
        },
      }),
    );
    await producer.send(['flaky', 'refused', 'broken', 'last'].map((id) => ({ topic: work, key: id, value: JSON.stringify({ id }) })));
    await waitFor('the last message handled', () => done.includes('last'));
    expect(done).toEqual(['flaky', 'last']);
    expect(Object.fromEntries(attempts)).toEqual({ flaky: 3, refused: 1, broken: 4, last: 1 });

    const dead = (await collectMessages(kafka, dlq, (m) => m.length >= 2)).map((d) => d.message);
    expect(dead.map((m) => [m.key?.toString(), header(m, messageHeaders.dlqErrorCode), header(m, messageHeaders.dlqAttempts)])).toEqual([
      ['refused', 'Rejected', '1'],
      ['broken', 'Transient', '4'],
    ]);
    expect(header(dead[0]!, messageHeaders.dlqReason)).toBe('tool billing.refund is not on the allow-list');
  });

  it('hands a redriven message to the group it names, and the other groups of the topic pass over it', async () => {
    const jobs = await topic('redriven', 2);
    const seen: Record<'a' | 'b', string[]> = { a: [], b: [] };
    for (const name of ['a', 'b'] as const) {
      const groupId = topics.consumerGroup(`redrive-${name}`);
      await ensureTopics(kafka, [{ name: topics.deadLetters(groupId), partitions: 1 }]);
      running.push(
        await startConsumer({
          kafka,
          groupId,
          topics: [jobs],
          decode: eventDecoder(),
          deadLetters: { producer, topic: topics.deadLetters(groupId) },
          handle: async ({ value }) => void seen[name].push(value.eventId),
        }),
      );
    }
    const redriven = envelope();
    const everyone = envelope();
    const sent = encodeEvent(redriven, jobs);
    await producer.send([
      { ...sent, headers: { ...sent.headers, [messageHeaders.redriveGroup]: topics.consumerGroup('redrive-a'), [messageHeaders.redriveOf]: 'dl-1', [messageHeaders.redriveCount]: '1' } },
      encodeEvent(everyone, jobs),
    ]);
    // Same key, same partition: once b has handled the later message, it has moved past the redriven one.
    await waitFor('both groups past both messages', () => seen.a.length === 2 && seen.b.length === 1);
    expect(seen).toEqual({ a: [redriven.eventId, everyone.eventId], b: [everyone.eventId] });
  });

  it('runs the handler in the trace context the message carries', async () => {
    // What the OpenTelemetry SDK does in a service process.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const traced = await topic('traced', 1);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    let seen: { traceId?: string; explicitTraceId?: string; header?: string } | undefined;
    running.push(
      await startConsumer({
        kafka,
        groupId: 'traced',
        topics: [traced],
        decode: eventDecoder(),
        deadLetters: { producer, topic: topics.deadLetters('traced') },
        handle: async (message) => {
          seen = {
            traceId: trace.getSpanContext(context.active())?.traceId,
            explicitTraceId: trace.getSpanContext(message.traceContext)?.traceId,
            header: message.traceparent,
          };
        },
      }),
    );
    await producer.send([encodeEvent({ ...envelope(), traceparent }, traced)]);
    await waitFor('the traced message handled', () => seen);
    expect(seen).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', explicitTraceId: '4bf92f3577b34da6a3ce929d0e0e4736', header: traceparent });
    context.disable();
  });
});

function envelope(): EventEnvelope {
  return { ...planRequested(), streamId: 'session-poison', streamVersion: 0, globalPosition: '1' };
}

function header(message: { headers?: Record<string, unknown> }, name: string): string | undefined {
  const value = message.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/**
 * npm run bench:messaging [-- --json]
 *
 * Against the same broker in the same run:
 * - relay throughput: the relay publishing N stored events from the event store (read, encode,
 *   send with acks=all, checkpoint) against raw kafkajs `sendBatch` of the same encoded messages
 *   in batches of the same size, also idempotent with acks=all. Ratio ours/raw; higher is better.
 * - produce→consume round trip, one message at a time: MessageProducer + the consumer loop
 *   (decode, validate, handle, commit) against a raw kafkajs producer + `eachMessage` consumer.
 *   Ratios ours/raw at p50 and p99; lower is better.
 * Rounds alternate ours/raw; see support.ts.
 */
import { randomUUID } from 'node:crypto';
import { topicNames, type EventEnvelope } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { MessageProducer, connectKafka, encodeEvent, ensureTopics, eventDecoder, startConsumer, startRelay } from '@agent-orchestrator/messaging';
import { createTestSchema, planRequestedBatch } from '@agent-orchestrator/testing';
import { ensureTestKafka } from '@agent-orchestrator/testing/kafka-for-tests';
import { ensureTestPostgres } from '@agent-orchestrator/testing/postgres-for-tests';
import { Command } from 'commander';
import { logLevel, Kafka, type Message } from 'kafkajs';
import { pino } from 'pino';
import { alternate, percentile, progressBar, round, type Pair, type Side } from './support.js';

const options = new Command()
  .name('bench:messaging')
  .option('--json', 'print the figures as one JSON object on the last line')
  .option('--rounds <n>', 'alternating rounds per measurement', (v) => Number.parseInt(v, 10), 5)
  .option('--events <n>', 'events relayed per round', (v) => Number.parseInt(v, 10), 10_000)
  .option('--pings <n>', 'round trips per round', (v) => Number.parseInt(v, 10), 500)
  .parse()
  .opts<{ json?: boolean; rounds: number; events: number; pings: number }>();

const batchSize = 500;
await Promise.all([ensureTestPostgres(), ensureTestKafka()]);
const brokers = process.env.KAFKA_BROKERS!.split(',');
const logger = pino({ level: 'silent' });
const kafka = connectKafka({ brokers, clientId: 'bench-messaging', logger });
const rawKafka = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING });
const db = await createTestSchema('bench_messaging', 4);
const store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 5 });

// The stored events both sides publish.
const streams = Array.from({ length: 200 }, () => `session-${randomUUID()}`);
for (let i = 0; i < options.events / 100; i++) await store.append(streams[i % streams.length]!, planRequestedBatch(100));
const stored: EventEnvelope[] = [];
for await (const event of store.streamAll()) stored.push(event);
const lastPosition = stored.at(-1)!.globalPosition;

const bar = progressBar('messaging bench', options.rounds * 4);
const producer = new MessageProducer(kafka);
const rawProducer = rawKafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await Promise.all([producer.connect(), rawProducer.connect()]);

const relayThroughput = await alternate(options.rounds, bar, 'relay', async (side) => {
  const topics = topicNames(`bench-${randomUUID().slice(0, 8)}.`);
  await ensureTopics(kafka, [{ name: topics.events('session'), partitions: 6 }]);
  const started = performance.now();
  if (side === 'ours') {
    const relay = startRelay({ store, producer, topics, subscriptionId: `bench-relay-${randomUUID()}`, batchSize });
    await relay.waitFor(lastPosition, 600_000);
    await relay.stop();
  } else {
    const messages = stored.map((e) => encodeEvent(e, topics.events('session')));
    for (let i = 0; i < messages.length; i += batchSize) {
      const batch = messages.slice(i, i + batchSize);
      await rawProducer.sendBatch({ acks: -1, topicMessages: [{ topic: batch[0]!.topic, messages: batch.map(toRaw) }] });
    }
  }
  return stored.length / ((performance.now() - started) / 1000);
});

const roundTrips: Record<Side, number[]> = { ours: [], raw: [] };
const roundTripMedians = await alternate(options.rounds, bar, 'round trip', async (side) => {
  const samples = side === 'ours' ? await oursRoundTrips() : await rawRoundTrips();
  roundTrips[side].push(...samples);
  return percentile(samples, 50);
});
bar.stop();

const p = (side: Side, q: number) => percentile(roundTrips[side], q);
const figures = {
  relay_throughput_ratio: round(relayThroughput.ours / relayThroughput.raw, 3),
  roundtrip_p50_ratio: round(p('ours', 50) / p('raw', 50), 3),
  roundtrip_p99_ratio: round(p('ours', 99) / p('raw', 99), 3),
  relay_events_per_s: round(relayThroughput.ours, 0),
  raw_send_batch_events_per_s: round(relayThroughput.raw, 0),
  roundtrip_p50_ms: round(p('ours', 50), 2),
  roundtrip_p99_ms: round(p('ours', 99), 2),
  raw_roundtrip_p50_ms: round(p('raw', 50), 2),
  raw_roundtrip_p99_ms: round(p('raw', 99), 2),
  roundtrip_median_of_round_p50_ms: { ours: round(roundTripMedians.ours, 2), raw: round(roundTripMedians.raw, 2) },
  rounds: options.rounds,
};

console.log('\nMessaging vs raw kafkajs (same broker, same run)');
console.table({
  'relay throughput (ev/s)': row(relayThroughput, figures.relay_throughput_ratio, '>= 0.8'),
  'round trip p50 (ms)': row({ ours: p('ours', 50), raw: p('raw', 50) }, figures.roundtrip_p50_ratio, '<= 1.2'),
  'round trip p99 (ms)': row({ ours: p('ours', 99), raw: p('raw', 99) }, figures.roundtrip_p99_ratio, '<= 1.2'),
});
if (options.json) console.log(JSON.stringify(figures));

await Promise.all([producer.disconnect(), rawProducer.disconnect()]);
await store.close();
await db.dispose();
await Promise.all([globalThis.__localKafka?.stop(), globalThis.__localPostgres?.stop()]);

function toRaw(m: ReturnType<typeof encodeEvent>): Message {
  return { key: m.key, value: m.value, headers: { ...m.headers, ...(m.traceparent ? { traceparent: m.traceparent } : {}) } };
}

/** Sends one message at a time and waits for the handler to see it before sending the next. */
async function pingPong(send: (id: string) => Promise<void>, waitForId: (id: string) => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < options.pings; i++) {
    const id = randomUUID();
    const started = performance.now();
    const seen = waitForId(id);
    await send(id);
    await seen;
    samples.push(performance.now() - started);
  }
  return samples;
}

function arrivals() {
  const waiting = new Map<string, () => void>();
  return {
    arrived: (id: string) => waiting.get(id)?.(),
    waitFor: (id: string) => new Promise<void>((resolve) => waiting.set(id, resolve)),
  };
}

async function oursRoundTrips(): Promise<number[]> {
  const topics = topicNames(`bench-rt-${randomUUID().slice(0, 8)}.`);
  const topic = topics.events('session');
  await ensureTopics(kafka, [{ name: topic, partitions: 1 }]);
  const { arrived, waitFor } = arrivals();
  const consumer = await startConsumer({
    kafka,
    groupId: `bench-${randomUUID()}`,
    topics: [topic],
    decode: eventDecoder(),
    deadLetters: { producer, topic: topics.deadLetters('bench') },
    logger,
    fromBeginning: false,
    handle: async ({ value }) => arrived(value.eventId),
  });
  await warmUp((id) => producer.send([encodeEvent({ ...stored[0]!, eventId: id }, topic)]), waitFor);
  const samples = await pingPong((id) => producer.send([encodeEvent({ ...stored[0]!, eventId: id }, topic)]), waitFor);
  await consumer.stop();
  return samples;
}

async function rawRoundTrips(): Promise<number[]> {
  const topic = `bench-rt-raw-${randomUUID().slice(0, 8)}`;
  await ensureTopics(kafka, [{ name: topic, partitions: 1 }]);
  const { arrived, waitFor } = arrivals();
  const consumer = rawKafka.consumer({ groupId: `bench-raw-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({ eachMessage: async ({ message }) => arrived(JSON.parse(message.value!.toString()).eventId) });
  const send = (id: string) => rawProducer.send({ topic, acks: -1, messages: [toRaw(encodeEvent({ ...stored[0]!, eventId: id }, topic))] }).then(() => undefined);
  await warmUp(send, waitFor);
  const samples = await pingPong(send, waitFor);
  await consumer.disconnect();
  return samples;
}

/** Until the consumer has joined and sees new messages, nothing is measured. */
async function warmUp(send: (id: string) => Promise<void>, waitForId: (id: string) => Promise<void>): Promise<void> {
  for (;;) {
    const id = randomUUID();
    const seen = waitForId(id);
    await send(id);
    const arrived = await Promise.race([seen.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1_000))]);
    if (arrived) return;
  }
}

function row(m: Pair, ratio: number, target: string) {
  const met = target.startsWith('>=') ? ratio >= Number(target.slice(3)) : ratio <= Number(target.slice(3));
  return { ours: round(m.ours, 2), 'raw kafkajs': round(m.raw, 2), ratio, target, met: met ? 'yes' : 'NO' };
}

/**
 * A consumer process for crash tests: handles session events into Postgres through the
 * idempotent-consumer helper, and counts every delivery outside the transaction so a spec can
 * see redeliveries. Runs until killed.
 */
import pg from 'pg';
import { pino } from 'pino';
import { connectKafka, eventDecoder, MessageProducer, ProcessedMessages, startConsumer } from '../src/index.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const schema = pg.escapeIdentifier(env('SCHEMA'));
const group = env('GROUP');
const delayMs = Number(process.env.HANDLE_DELAY_MS ?? '0');

const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 4 });
const processed = await ProcessedMessages.open(pool, env('SCHEMA'));
const logger = pino({ level: 'warn' });
const kafka = connectKafka({ brokers: env('KAFKA_BROKERS').split(','), clientId: `effect-consumer-${process.pid}`, logger });
const producer = new MessageProducer(kafka);

await startConsumer({
  kafka,
  groupId: group,
  topics: [env('TOPIC')],
  decode: eventDecoder(),
  deadLetters: { producer, topic: env('DLQ_TOPIC') },
  logger,
  sessionTimeoutMs: 6_000,
  handle: async ({ value: event }) => {
    await pool.query(`INSERT INTO ${schema}.deliveries (event_id) VALUES ($1)`, [event.eventId]);
    await processed.handleOnce(group, event.eventId, (tx) =>
      tx.query(`INSERT INTO ${schema}.effects (event_id, stream_id, stream_version) VALUES ($1, $2, $3)`, [event.eventId, event.streamId, event.streamVersion]),
    );
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  },
});
console.log('consumer ready');

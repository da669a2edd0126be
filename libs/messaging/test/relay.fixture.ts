/** The relay as its own process, for crash tests. Runs until killed. */
import { topicNames } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import pg from 'pg';
import { pino } from 'pino';
import { connectKafka, MessageProducer, startRelay } from '../src/index.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 4 });
const store = await PostgresEventStore.open({ pool, schema: env('SCHEMA'), pollIntervalMs: 20 });
const producer = new MessageProducer(connectKafka({ brokers: env('KAFKA_BROKERS').split(','), clientId: `relay-${process.pid}`, logger: pino({ level: 'warn' }) }));
await producer.connect();
startRelay({ store, producer, topics: topicNames(env('TOPIC_PREFIX')), batchSize: Number(process.env.BATCH_SIZE ?? '50') });
console.log('relay ready');

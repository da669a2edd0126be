import { join } from 'node:path';
import { startLocalKafka, type LocalKafka } from '@agent-orchestrator/local-kafka';

declare global {
  var __localKafka: LocalKafka | undefined;
}

/**
 * Integration specs talk to a real Kafka broker: KAFKA_BROKERS when set (an existing cluster),
 * otherwise a single-node broker started here from Apache Kafka's Maven Central jars.
 */
export async function ensureTestKafka(): Promise<void> {
  if (process.env.KAFKA_BROKERS) return;
  const started = Date.now();
  const kafka = await startLocalKafka({
    dataDir: join(process.cwd(), '.data', `test-kafka-${process.pid}`),
    reset: true,
    ephemeral: true,
    log: (line) => console.log(line),
  });
  globalThis.__localKafka = kafka;
  process.env.KAFKA_BROKERS = kafka.brokers.join(',');
  console.log(`Kafka for this run: ${process.env.KAFKA_BROKERS} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

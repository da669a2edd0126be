export { ensureKafkaRuntime } from './kafka-runtime.js';
export { startLocalKafka, type LocalKafka, type LocalKafkaOptions } from './local-kafka.js';

export { encodeEvent, eventDecoder, jsonDecoder, type Decoder } from './codec.js';
export { startConsumer, type ConsumedMessage, type ConsumerOptions, type RetryPolicy, type RunningConsumer } from './consumer.js';
export { MessagingError, isRetryable, type MessagingErrorCode } from './errors.js';
export { connectKafka, defaultLogger, ensureTopics, type KafkaConnectionOptions } from './kafka.js';
export { ProcessedMessages, type HandledOnce } from './processed-messages.js';
export { MessageProducer, type OutgoingMessage } from './producer.js';
export { startRelay, type RelayOptions } from './relay.js';
export { extractTraceContext, headerValue, traceHeaders } from './trace-context.js';

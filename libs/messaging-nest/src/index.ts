export { OnEvent, PropagateToConsumerLoop } from './event-handlers.js';
export { KafkaEventContext, KafkaEventTransport, type KafkaEventTransportOptions } from './kafka-event-transport.js';

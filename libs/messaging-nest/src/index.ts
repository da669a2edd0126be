export { OnEvent, PropagateToConsumerLoop } from './event-handlers.js';
export { BrokerEventTransport, EventContext, type BrokerEventTransportOptions } from './broker-event-transport.js';

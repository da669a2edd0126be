import { envelopeSchema, eventCatalog, messageHeaders, type EventCatalog, type EventEnvelope } from '@agent-orchestrator/contracts';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { z } from 'zod';
import { MessagingError } from './errors.js';
import type { OutgoingMessage } from './producer.js';

/** Turns a consumed Kafka message into what a handler gets, or throws InvalidMessage. */
export type Decoder<T> = (message: KafkaMessage) => T;

/** A stored event as a Kafka message: keyed by stream id, the envelope as JSON, routing facts in headers. */
export function encodeEvent(event: EventEnvelope, topic: string): OutgoingMessage {
  const headers: Record<string, string> = {
    [messageHeaders.eventId]: event.eventId,
    [messageHeaders.eventType]: event.type,
    [messageHeaders.schemaVersion]: String(event.schemaVersion),
    [messageHeaders.tenantId]: event.tenantId,
    [messageHeaders.contentType]: 'application/json',
  };
  return { topic, key: event.streamId, value: JSON.stringify(event), headers, traceparent: event.traceparent };
}

/** Decodes an event message: JSON, the envelope's shape, the data's schema; then upcasts it. */
export function eventDecoder(catalog: EventCatalog = eventCatalog): Decoder<EventEnvelope> {
  return (message) => {
    if (!message.value) throw new MessagingError('InvalidMessage', 'the message has no value');
    let json: unknown;
    try {
      json = JSON.parse(message.value.toString('utf8'));
    } catch (error) {
      throw new MessagingError('InvalidMessage', `the message value is not JSON: ${(error as Error).message}`);
    }
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) throw new MessagingError('InvalidMessage', `the message is not an event envelope: ${z.prettifyError(envelope.error)}`);
    const data = catalog.validateData(envelope.data);
    if (!data.ok) throw new MessagingError('InvalidMessage', data.message);
    return catalog.upcast(envelope.data as EventEnvelope);
  };
}

/** Plain JSON values, for topics that carry no event envelope. */
export function jsonDecoder<Schema extends z.ZodType>(schema: Schema): Decoder<z.infer<Schema>> {
  return (message) => {
    let json: unknown;
    try {
      json = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch (error) {
      throw new MessagingError('InvalidMessage', `the message value is not JSON: ${(error as Error).message}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new MessagingError('InvalidMessage', z.prettifyError(parsed.error));
    return parsed.data;
  };
}

export type Headers = IHeaders;

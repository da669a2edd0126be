import { streamIdSchema, type EventCatalog, type NewEvent } from '@agent-orchestrator/contracts';
import { stampedTraceparent } from '@agent-orchestrator/tracing';
import { EventStoreError } from './errors.js';
import { canonicalContent } from './hash-chain.js';

const maxBatch = 10_000;
/**
 * The largest event (its canonical JSON) a store accepts. Every stored event is relayed to
 * Kafka, whose default message limit is 1 MiB; a larger event would stop the relay for good,
 * since it never skips an event. Large payloads belong in a blob store, referenced by the event.
 */
export const maxEventBytes = 512 * 1024;

/**
 * Checks a batch before any adapter writes it: stream name, schemas, size, one tenant, unique
 * ids. Returns each event's canonical content, which is what adapters store and hash (with the
 * traceparent of the event's span when it is of a session's work).
 */
export function validateBatch(catalog: EventCatalog, streamId: string, events: readonly NewEvent[]): { tenantId: string; contents: string[] } {
  const stream = streamIdSchema.safeParse(streamId);
  if (!stream.success) throw new EventStoreError('InvalidEvent', `"${streamId}" is not a stream id: stream ids are "<category>-<id>"`, { streamId });
  if (events.length === 0) throw new EventStoreError('InvalidEvent', `nothing to append to ${streamId}: the batch is empty`, { streamId });
  if (events.length > maxBatch) {
    throw new EventStoreError('InvalidEvent', `a batch holds at most ${maxBatch} events; got ${events.length} for ${streamId}`, { streamId });
  }
  const ids = new Set<string>();
  events.forEach((event, index) => {
    const result = catalog.validateNewEvent(event);
    if (!result.ok) throw new EventStoreError('InvalidEvent', `event ${index} for ${streamId} is invalid: ${result.message}`, { streamId });
    if (ids.has(event.eventId)) throw new EventStoreError('InvalidEvent', `event id ${event.eventId} appears twice in the batch for ${streamId}`, { streamId });
    ids.add(event.eventId);
  });
  const tenantId = events[0]!.tenantId;
  const other = events.find((event) => event.tenantId !== tenantId);
  if (other) {
    throw new EventStoreError('InvalidEvent', `a batch belongs to one tenant: ${tenantId} and ${other.tenantId} both appear for ${streamId}`, { streamId });
  }
  const contents = events.map((event, index) => {
    // An event of a session's work is stored under its span in the session's trace (see libs/tracing).
    const content = canonicalContent({ ...event, streamId, traceparent: stampedTraceparent({ ...event, streamId }) });
    const bytes = Buffer.byteLength(content, 'utf8');
    if (bytes > maxEventBytes) {
      throw new EventStoreError(
        'InvalidEvent',
        `event ${index} for ${streamId} (${event.type}) is ${bytes} bytes; the limit is ${maxEventBytes}. Store large payloads elsewhere and reference them.`,
        { streamId },
      );
    }
    return content;
  });
  return { tenantId, contents };
}

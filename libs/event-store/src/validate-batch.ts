import { streamIdSchema, type EventCatalog, type NewEvent } from '@agent-orchestrator/contracts';
import { EventStoreError } from './errors.js';

const maxBatch = 10_000;

/** Checks a batch before any adapter writes it: stream name, schemas, one tenant, unique ids. */
export function validateBatch(catalog: EventCatalog, streamId: string, events: readonly NewEvent[]): { tenantId: string } {
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
  return { tenantId };
}

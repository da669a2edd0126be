import { z } from 'zod';

/** Who caused an event: a person (by user id), a service, or an agent (by agent name). */
export const actorSchema = z.strictObject({
  kind: z.enum(['user', 'service', 'agent']),
  id: z.string().min(1).max(200),
});
export type Actor = z.infer<typeof actorSchema>;

const traceparentPattern = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
/** Tenant ids appear in stream names, topic keys and index keys: keep them to a safe alphabet. */
const tenantIdPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const tenantIdSchema = z.string().regex(tenantIdPattern, 'tenant ids are lower-case letters, digits, "_" and "-", at most 63');
/** Stream names are `<category>-<id>`; see streams.ts. */
const streamIdPattern = /^[a-z][a-z0-9]*-[A-Za-z0-9_.:-]{1,200}$/;

/**
 * The part of an event a writer decides. The store adds streamId, streamVersion and
 * globalPosition. Everything here is covered by the stream's hash chain.
 */
export const newEventSchema = z.strictObject({
  eventId: z.uuid(),
  type: z.string().regex(/^[A-Z][A-Za-z0-9]{2,80}$/, 'event types are PascalCase, past tense'),
  schemaVersion: z.number().int().min(1),
  tenantId: tenantIdSchema,
  correlationId: z.string().min(1).max(200),
  causationId: z.string().min(1).max(200).nullable(),
  actor: actorSchema,
  occurredAt: z.iso.datetime({ offset: false }),
  traceparent: z.string().regex(traceparentPattern, 'traceparent must be a W3C trace context header').nullable(),
  data: z.unknown(),
});
export type NewEvent<Data = unknown> = Omit<z.infer<typeof newEventSchema>, 'data'> & { readonly data: Data };

export const streamIdSchema = z.string().regex(streamIdPattern, 'stream ids are "<category>-<id>"');

/**
 * Where an event stands in the store's single total order (the `$all` order). Opaque: compare
 * positions with `comparePositions` (plain string order), never parse them outside the adapter
 * that made them. Adapters encode their native position as fixed-width decimal fields.
 */
export type GlobalPosition = string;

/** An event as stored: the writer's part plus where the store put it. */
export type EventEnvelope<Data = unknown> = NewEvent<Data> & {
  readonly streamId: string;
  /** 0 for a stream's first event. */
  readonly streamVersion: number;
  readonly globalPosition: GlobalPosition;
};

export const envelopeSchema = newEventSchema.extend({
  streamId: streamIdSchema,
  streamVersion: z.number().int().min(0),
  globalPosition: z.string().min(1),
});

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The fields of an event its writer decided: what the stream hash chain and the Merkle tree both
 * cover. streamVersion and globalPosition are where a store put the event, not what it says.
 * Structural, so this library needs no other project to be read and audited on its own.
 */
export interface EventContent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly tenantId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly actor: { readonly kind: string; readonly id: string };
  readonly occurredAt: string;
  readonly traceparent: string | null;
  readonly data: unknown;
}

/** RFC 8785 JSON of the event's content: the bytes the chain hashes and the tree's leaf entry. */
export function canonicalEntry(event: EventContent): string {
  const content: EventContent = {
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    tenantId: event.tenantId,
    correlationId: event.correlationId,
    causationId: event.causationId,
    actor: event.actor,
    occurredAt: event.occurredAt,
    traceparent: event.traceparent,
    data: event.data,
  };
  const text = canonicalize(content);
  if (text === undefined) throw new Error(`event ${event.eventId} has no JSON representation`);
  return text;
}

/**
 * The stream hash chain: hash(e_n) = SHA-256( hash(e_{n-1}) || int64_be(n) || utf8(content) ),
 * with no predecessor bytes for a stream's first event. Hex.
 */
export function chainHash(prevHash: string | null, streamVersion: number, content: string): string {
  const version = Buffer.alloc(8);
  version.writeBigInt64BE(BigInt(streamVersion));
  const hash = createHash('sha256');
  if (prevHash !== null) hash.update(Buffer.from(prevHash, 'hex'));
  return hash.update(version).update(content, 'utf8').digest('hex');
}

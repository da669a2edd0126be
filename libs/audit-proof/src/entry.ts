import { createHash, hash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

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
  // Keys in sorted order, as RFC 8785 writes them: lets canonicalJson take its fast path.
  const content: EventContent = {
    actor: event.actor,
    causationId: event.causationId,
    correlationId: event.correlationId,
    data: event.data,
    eventId: event.eventId,
    occurredAt: event.occurredAt,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    tenantId: event.tenantId,
    traceparent: event.traceparent,
    type: event.type,
  };
  const text = canonicalJson(content);
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

/** An event's Merkle leaf hash and its chain hash (hex), from one UTF-8 encoding of its entry. */
export interface EntryHashes {
  readonly leaf: Buffer;
  readonly chain: string;
}

let scratch = Buffer.alloc(64 * 1024);

/**
 * leafHash(content) and chainHash(prevHash, streamVersion, content) at once, for a verifier that
 * checks many events: the entry is encoded once, at byte 41 of a scratch buffer, and both hashes
 * are one-shot crypto.hash calls (no Hash object) over the bytes just before it plus the entry:
 *   leaf:  byte 40 = 0x00                                 -> SHA-256([40..end)) = SHA-256(0x00 || entry)
 *   chain: [1..33) = prevHash, [33..41) = int64_be(version) -> SHA-256([1..end)), or [33..end) without a
 *          predecessor: the exact bytes chainHash feeds its Hash. (Written after the leaf: byte 40 is reused.)
 * prevHash must be 64 hex digits or null (the line parser checks that before any event gets here).
 */
export function entryHashes(prevHash: string | null, streamVersion: number, content: string): EntryHashes {
  const room = 41 + content.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 code unit
  if (scratch.length < room) scratch = Buffer.alloc(room * 2);
  const end = 41 + scratch.write(content, 41, 'utf8');
  scratch[40] = 0x00;
  const leaf = hash('sha256', scratch.subarray(40, end), 'buffer');
  scratch.writeBigInt64BE(BigInt(streamVersion), 33);
  if (prevHash !== null && scratch.write(prevHash, 1, 'hex') !== 32) throw new Error(`prevHash ${prevHash} is not 32 bytes of hex`);
  return { leaf, chain: hash('sha256', scratch.subarray(prevHash === null ? 33 : 1, end), 'hex') };
}

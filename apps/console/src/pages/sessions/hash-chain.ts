import canonicalize from 'canonicalize';

/** One event of a stream as the streams route gives it: the event as stored, its hash and its predecessor's. */
export interface StoredLink {
  readonly event: {
    readonly eventId: string;
    readonly type: string;
    readonly schemaVersion: number;
    readonly streamId: string;
    readonly streamVersion: number;
    readonly tenantId: string;
    readonly correlationId: string;
    readonly causationId: string | null;
    readonly actor: { readonly kind: string; readonly id: string };
    readonly occurredAt: string;
    readonly traceparent: string | null;
    readonly data: unknown;
  };
  readonly prevHash: string | null;
  readonly hash: string;
}

export type ChainCheck =
  | { readonly streamId: string; readonly intact: true; readonly events: number }
  | { readonly streamId: string; readonly intact: false; readonly events: number; readonly brokenAt: { readonly streamVersion: number; readonly eventId: string; readonly why: string } };

/**
 * Recomputes a stream's hash chain in the browser, independently of the server that stored it:
 *
 *   hash(e_n) = SHA-256( hash(e_{n-1}) || int64_be(n) || utf8(JCS(content(e_n))) )
 *
 * with JCS the RFC 8785 canonical JSON of the event without streamVersion and globalPosition (the
 * event store's hash-chain.ts). Reports the first link that does not hold: a gap in versions, a
 * predecessor hash that is not the previous event's, or content that does not match its hash.
 */
export async function checkChain(streamId: string, links: readonly StoredLink[]): Promise<ChainCheck> {
  let previous: string | null = null;
  for (const [index, link] of links.entries()) {
    const { event } = link;
    const broken = (why: string): ChainCheck => ({ streamId, intact: false, events: links.length, brokenAt: { streamVersion: event.streamVersion, eventId: event.eventId, why } });
    if (event.streamVersion !== index) return broken(`version ${index} was expected here, the event says ${event.streamVersion}`);
    if (event.streamId !== streamId) return broken(`the event belongs to stream ${event.streamId}`);
    if (link.prevHash !== previous) return broken(`it names ${short(link.prevHash)} as its predecessor, but the previous event's hash is ${short(previous)}`);
    if ((await chainHash(link.prevHash, event.streamVersion, canonicalContent(event))) !== link.hash) return broken('its content does not match its hash: it was changed after it was written');
    previous = link.hash;
  }
  return { streamId, intact: true, events: links.length };
}

/** The hashed part of an event, in the store's field list (key order does not matter to JCS). */
export function canonicalContent(event: StoredLink['event']): string {
  const { eventId, type, schemaVersion, streamId, tenantId, correlationId, causationId, actor, occurredAt, traceparent, data } = event;
  const text = canonicalize({ eventId, type, schemaVersion, streamId, tenantId, correlationId, causationId, actor, occurredAt, traceparent, data });
  if (text === undefined) throw new Error(`event ${eventId} has no JSON representation`);
  return text;
}

export async function chainHash(prevHash: string | null, streamVersion: number, content: string): Promise<string> {
  const previous = prevHash === null ? new Uint8Array(0) : fromHex(prevHash);
  const version = new Uint8Array(8);
  new DataView(version.buffer).setBigInt64(0, BigInt(streamVersion));
  const text = new TextEncoder().encode(content);
  const bytes = new Uint8Array(previous.length + 8 + text.length);
  bytes.set(previous, 0);
  bytes.set(version, previous.length);
  bytes.set(text, previous.length + 8);
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

const toHex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
const short = (hash: string | null): string => (hash === null ? 'none' : hash.slice(0, 12));

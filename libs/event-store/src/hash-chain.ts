import { canonicalEntry, chainHash } from '@agent-orchestrator/audit-proof';
import type { EventEnvelope } from '@agent-orchestrator/contracts';

/**
 * Each event's hash covers its predecessor's hash, its stream version and its content, so changing,
 * removing or inserting any event breaks every later link:
 *
 *   hash(e_n) = SHA-256( hash(e_{n-1}) || int64_be(n) || utf8(JCS(content(e_n))) )
 *
 * with an empty predecessor for the first event and JCS the RFC 8785 canonical JSON. The global
 * position is not covered: it is where one store put the event, not what the event says.
 * The PostgreSQL adapter computes the same formula in SQL; verification here is independent of it.
 */
export interface ChainLink {
  readonly event: EventEnvelope;
  /** Hex; null for a stream's first event. */
  readonly prevHash: string | null;
  readonly hash: string;
}

export type ChainProblem =
  | { readonly kind: 'altered'; readonly streamVersion: number; readonly message: string }
  | { readonly kind: 'missing'; readonly streamVersion: number; readonly message: string }
  | { readonly kind: 'inserted'; readonly streamVersion: number; readonly message: string }
  | { readonly kind: 'broken-link'; readonly streamVersion: number; readonly message: string }
  | { readonly kind: 'truncated'; readonly streamVersion: number; readonly message: string };

export interface ChainReport {
  readonly streamId: string;
  readonly ok: boolean;
  readonly eventsChecked: number;
  readonly problems: readonly ChainProblem[];
}

/** The head the store recorded for the stream: catches removal of the last events. */
export interface ChainHead {
  readonly version: number;
  readonly hash: string;
}

export type EventContent = Omit<EventEnvelope, 'streamVersion' | 'globalPosition'>;

/** The hashed part of an event, as canonical JSON. Stores persist exactly these bytes; the audit tree's leaves hash them too. */
export function canonicalContent(event: EventContent): string {
  return canonicalEntry(event);
}

export { chainHash };

/** Checks a stream's links in the order read. Works offline on an exported stream. */
export async function verifyChain(streamId: string, links: AsyncIterable<ChainLink> | Iterable<ChainLink>, head?: ChainHead): Promise<ChainReport> {
  const problems: ChainProblem[] = [];
  let expectedVersion = 0;
  let previous: string | null = null;
  let checked = 0;
  for await (const link of links) {
    checked++;
    const { streamVersion } = link.event;
    if (streamVersion > expectedVersion) {
      problems.push({ kind: 'missing', streamVersion: expectedVersion, message: `versions ${expectedVersion}..${streamVersion - 1} are missing` });
    } else if (streamVersion < expectedVersion) {
      problems.push({ kind: 'inserted', streamVersion, message: `version ${streamVersion} appears again after version ${expectedVersion - 1}` });
    }
    if (link.event.streamId !== streamId) {
      problems.push({ kind: 'inserted', streamVersion, message: `event ${link.event.eventId} belongs to stream ${link.event.streamId}` });
    }
    if (link.prevHash !== previous) {
      problems.push({
        kind: 'broken-link',
        streamVersion,
        message: `stored predecessor hash ${short(link.prevHash)} does not match the previous event's hash ${short(previous)}`,
      });
    }
    const recomputed = chainHash(link.prevHash, streamVersion, canonicalContent(link.event));
    if (recomputed !== link.hash) {
      problems.push({ kind: 'altered', streamVersion, message: `content of event ${link.event.eventId} does not match its hash` });
    }
    previous = link.hash;
    expectedVersion = Math.max(expectedVersion, streamVersion + 1);
  }
  if (head && (head.version !== expectedVersion - 1 || head.hash !== (previous ?? ''))) {
    problems.push({
      kind: 'truncated',
      streamVersion: expectedVersion,
      message: `the stream's recorded head is version ${head.version} (${short(head.hash)}) but its events end at version ${expectedVersion - 1} (${short(previous)})`,
    });
  }
  return { streamId, ok: problems.length === 0, eventsChecked: checked, problems };
}

const short = (hash: string | null): string => (hash === null ? 'none' : hash.slice(0, 12));

import type { EventLine, ManifestLine, StreamHeadLine } from './bundle-lines.js';
import { canonicalEntry, entryHashes } from './entry.js';
import type { EventPlace, Finding } from './findings.js';

/*
 * Checks event lines as they stream past: each event's chain hash, the links and versions of its
 * stream, positions and tenant; keeps each event's leaf hash (32 bytes) for the proofs and, per
 * stream, only its last event.
 */

interface StreamState {
  version: number;
  hash: string;
  events: number;
}

export class EventLedger {
  readonly findings: Finding[] = [];
  /** Leaf hashes in the order of the lines, with their positions. */
  readonly leaves: Buffer[] = [];
  readonly positions: number[] = [];
  /** Only in inclusion mode, where proofs name positions: which event each position holds. */
  readonly places = new Map<number, EventPlace & { leaf: Buffer }>();
  /** Inclusion mode: the positions a proof line has named. */
  readonly proven = new Set<number>();
  private readonly streams = new Map<string, StreamState>();
  private readonly heads = new Set<string>();
  private lastPosition: number | null = null;

  constructor(private readonly manifest: ManifestLine) {}

  leafAt(position: number): Buffer | undefined {
    return this.places.get(position)?.leaf;
  }

  get events(): number {
    return this.leaves.length;
  }

  get streamCount(): number {
    return this.streams.size;
  }

  add(line: EventLine, lineNumber: number): void {
    const { event, position } = line;
    const at = { streamId: event.streamId, streamVersion: event.streamVersion, position, line: lineNumber };
    let entry: string;
    try {
      entry = canonicalEntry(event);
    } catch (error) {
      this.findings.push({ kind: 'malformed', message: (error as Error).message, ...at });
      return;
    }
    // The leaf and the chain hash from one encoding of the entry: see entryHashes.
    const { leaf, chain } = entryHashes(line.prevHash, event.streamVersion, entry);
    this.leaves.push(leaf);
    this.positions.push(position);
    if (this.manifest.proofMode === 'inclusion') this.places.set(position, { ...at, leaf });
    this.checkPosition(position, at);
    if (event.tenantId !== this.manifest.tenantId) {
      this.findings.push({ kind: 'inserted', message: `event ${event.eventId} belongs to tenant ${event.tenantId}, the bundle to ${this.manifest.tenantId}`, ...at });
    }
    if (chain !== line.hash) {
      this.findings.push({ kind: 'altered', message: `the content of event ${event.eventId} does not match its chain hash`, ...at });
    }
    this.checkLink(line, at);
  }

  /** Decreases are seen here; gaps and repeats at the end, over all positions, so a swap reads as one. */
  private checkPosition(position: number, at: EventPlace): void {
    const { first, end } = this.manifest.range;
    if (position < first || position >= end || position >= this.manifest.checkpoint.treeSize) {
      this.findings.push({ kind: 'inserted', message: `position ${position} is outside the bundle's range ${first}..${end - 1}`, ...at });
    }
    const last = this.lastPosition;
    if (last !== null && position < last) {
      this.findings.push({ kind: 'out-of-order', message: `position ${position} comes after position ${last}`, ...at });
    }
    this.lastPosition = last === null ? position : Math.max(last, position);
  }

  private checkLink(line: EventLine, at: EventPlace): void {
    const { streamId, streamVersion, eventId } = line.event;
    const previous = this.streams.get(streamId);
    if (previous === undefined) {
      if (streamVersion === 0 && line.prevHash !== null) {
        this.findings.push({ kind: 'altered', message: `event ${eventId} is its stream's first but names a predecessor hash`, ...at });
      }
      // A range from the tree's first leaf holds every stream from its first event.
      if (streamVersion > 0 && this.manifest.proofMode === 'range' && this.manifest.range.first === 0) {
        this.findings.push({ kind: 'removed', message: `${describeVersions(streamId, 0, streamVersion - 1)} missing before the stream's first event in the bundle`, ...at });
      }
      this.streams.set(streamId, { version: streamVersion, hash: line.hash, events: 1 });
      return;
    }
    const expected = previous.version + 1;
    if (streamVersion <= previous.version) {
      this.findings.push({ kind: 'inserted', message: `version ${streamVersion} of ${streamId} appears again after version ${previous.version}`, ...at });
      return;
    }
    // A sessions export holds only the session's events: other versions of a stream may lie between.
    if (streamVersion > expected && this.manifest.proofMode === 'range') {
      this.findings.push({ kind: 'removed', message: `${describeVersions(streamId, expected, streamVersion - 1)} missing`, ...at });
    } else if (streamVersion === expected && line.prevHash !== previous.hash) {
      this.findings.push({ kind: 'altered', message: `event ${eventId} does not link to version ${previous.version} of ${streamId}: that event or this one was changed`, ...at });
    }
    this.streams.set(streamId, { version: streamVersion, hash: line.hash, events: previous.events + 1 });
  }

  /** A stream's head is its last event at or below the checkpoint: what the bundle must end on. */
  addHead(head: StreamHeadLine, lineNumber: number): void {
    const at = { streamId: head.streamId, line: lineNumber };
    this.heads.add(head.streamId);
    const last = this.streams.get(head.streamId);
    if (last === undefined) {
      this.findings.push({ kind: 'removed', message: `stream ${head.streamId} has a head at version ${head.version} but no event in the bundle`, streamVersion: head.version, ...at });
      return;
    }
    if (head.version === last.version) {
      if (head.hash !== last.hash) {
        this.findings.push({ kind: 'altered', message: `the last event of ${head.streamId} does not hash to the stream's recorded head`, streamVersion: head.version, ...at });
      }
    } else if (head.version < last.version) {
      this.findings.push({ kind: 'inserted', message: `${head.streamId} has events beyond its recorded head, version ${head.version}`, streamVersion: last.version, ...at });
    } else if (this.manifest.proofMode === 'range' && this.manifest.range.end === this.manifest.checkpoint.treeSize) {
      // Only when the range reaches the checkpoint must every stream end inside it.
      this.findings.push({
        kind: 'removed',
        message: `${describeVersions(head.streamId, last.version + 1, head.version)} missing: the stream's head is version ${head.version}, its events end at ${last.version}`,
        streamVersion: last.version + 1,
        ...at,
      });
    }
  }

  /** After the last line: ranges cut short, streams without heads, counts that disagree. */
  finish(): void {
    this.checkPositionsCovered();
    for (const [streamId, state] of this.streams) {
      if (!this.heads.has(streamId)) this.findings.push({ kind: 'malformed', message: `stream ${streamId} has events but no stream-head line`, streamId, streamVersion: state.version });
    }
    const { counts } = this.manifest;
    if (counts.events !== this.events) {
      this.findings.push({ kind: counts.events > this.events ? 'removed' : 'inserted', message: `the manifest counts ${counts.events} events, the bundle holds ${this.events}` });
    }
    if (counts.streams !== this.streams.size) {
      this.findings.push({ kind: counts.streams > this.streams.size ? 'removed' : 'inserted', message: `the manifest counts ${counts.streams} streams, the bundle holds ${this.streams.size}` });
    }
  }

  private checkPositionsCovered(): void {
    const { first, end } = this.manifest.range;
    const sorted = Float64Array.from(this.positions).sort();
    let expected = first;
    for (let i = 0; i < sorted.length; i++) {
      const position = sorted[i]!;
      if (i > 0 && position === sorted[i - 1]) {
        this.findings.push({ kind: 'inserted', message: `position ${position} appears twice`, position });
        continue;
      }
      if (this.manifest.proofMode === 'range' && position > expected && expected < end) {
        this.findings.push({ kind: 'removed', message: `${describePositions(expected, Math.min(position, end))} missing`, position: expected });
      }
      expected = Math.max(expected, position + 1);
    }
    if (this.manifest.proofMode === 'range' && expected < end) {
      this.findings.push({ kind: 'removed', message: `${describePositions(expected, end)} missing at the end of the range`, position: expected });
    }
  }
}

export function describePositions(from: number, end: number): string {
  return end - from === 1 ? `position ${from} is` : `positions ${from}..${end - 1} are`;
}

function describeVersions(streamId: string, from: number, to: number): string {
  return from === to ? `version ${from} of ${streamId} is` : `versions ${from}..${to} of ${streamId} are`;
}

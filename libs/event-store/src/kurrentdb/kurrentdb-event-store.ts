/**
 * The EventStore port on KurrentDB (formerly EventStoreDB), through @kurrent/kurrentdb-client.
 *
 * Written against the client's documented API (its .d.ts files, version 1.3) on a machine with no
 * KurrentDB server: it is exercised only where KURRENTDB_URL is set (kurrentdb-event-store.int.spec.ts
 * runs the shared behaviour suite then). Needs KurrentDB 22.6 or later, whose stream reads return
 * $all positions, and a user allowed to read $all.
 *
 * Layout on the server, every name prefixed with `<namespace>.` when a namespace is given:
 *   <streamId>                  our streams. Each event's data is the canonical content as binary
 *                               bytes (a JSON event would be re-serialised by the client, so the
 *                               stored bytes would not be the hashed ones); its metadata is
 *                               { prevHash, hash, tenantId, schemaVersion, appendId }.
 *   _eventid-<eventId>          one claim per event id, created with no_stream. KurrentDB only
 *                               dedupes ids within a stream; the claims make them unique store-wide.
 *   _checkpoint-<subscription>  subscription checkpoints.
 * Stream ids start with a letter, so the `_` names never collide with a stream of ours. The store
 * owns its namespace: an event there that it did not write is reported, not skipped.
 *
 * Appends are not one server-side step as in PostgreSQL: read the head, check, claim ids, then
 * append at the head's exact revision, so a concurrent writer makes the append conflict instead
 * of forking the hash chain. Costs and limits that follow: one claim write per event; an append
 * refused after claiming leaves its claims, so those ids can then only be used in that stream;
 * a retry is recognised only within the stream's last `idempotencyWindow` events; readAll scans
 * all of $all and filters here, other namespaces included.
 */
import { randomUUID } from 'node:crypto';
import { eventCatalog, streamIdSchema, type EventCatalog, type EventEnvelope, type GlobalPosition, type NewEvent } from '@agent-orchestrator/contracts';
import { ANY, BACKWARDS, END, ErrorType, FORWARDS, KurrentDBClient, NO_STREAM, START, binaryEvent, jsonEvent } from '@kurrent/kurrentdb-client';
import type { AllStreamRecordedEvent, EventData, Position, ReadStreamOptions as ClientReadOptions, RecordedEvent, WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import { attachmentRefOf, checkAttachment, type AttachmentLookup, type AttachmentRef } from '../attachments.js';
import { EventStoreError } from '../errors.js';
import { chainHash, verifyChain, type ChainLink, type ChainReport, type EventContent } from '../hash-chain.js';
import type { AppendOptions, AppendResult, CheckpointStore, EventStore, ExpectedVersion, ReadAllOptions, ReadStreamOptions, SubscribeOptions, Subscription } from '../port.js';
import { defaultPageSize, pageAll } from '../paging.js';
import { AppendSignal, sharedReads, startCatchUpSubscription } from '../subscription.js';
import { validateBatch } from '../validate-batch.js';
import { decodePosition, encodePosition } from './position.js';

export interface KurrentDbEventStoreOptions {
  /** For example `kurrentdb://127.0.0.1:2113?tls=false`. */
  readonly connectionString: string;
  /** Letters, digits and "_"; isolates this store's streams from others on the same server. */
  readonly namespace?: string;
  readonly catalog?: EventCatalog;
  /** How often a caught-up subscription looks for events appended by other processes. */
  readonly pollIntervalMs?: number;
}

/** What each of our events carries as KurrentDB metadata. */
interface StoredMetadata {
  readonly prevHash: string | null;
  readonly hash: string;
  readonly tenantId: string;
  readonly schemaVersion: number;
  /**
   * Which append call wrote the event. KurrentDB answers a repeated append of the same ids at the
   * same revision with success and writes nothing; this tells the caller that wrote from the others.
   */
  readonly appendId: string;
}

/** An event as stored, before upcasting. */
interface StoredEvent {
  readonly envelope: EventEnvelope;
  readonly prevHash: string | null;
  readonly hash: string;
  readonly tenantId: string;
  readonly appendId: string | undefined;
}

/**
 * A retried append is recognised by finding its event ids among the stream's last this-many
 * events. A retry that arrives after more than this many later events were appended to the
 * stream is not recognised: its claims send it to the same stream, so its events are appended
 * again (PostgreSQL, with an index on event ids, has no such window).
 */
const idempotencyWindow = 1_000;
/** How often an append with no version expectation re-reads the head after losing a race. */
const conflictRetries = 10;
const checkpointsKept = 10;
/** KurrentDB refuses events above 1 MiB by default; attachment chunks stay well below. */
const attachmentChunkBytes = 512 * 1024;
const namespacePattern = /^[A-Za-z0-9_]{1,64}$/;
/** What servers before 22.6 send as the position of an event read from a stream: "unknown". */
const unknownPosition = 2n ** 64n - 1n;

export class KurrentDbEventStore implements EventStore {
  readonly checkpoints: CheckpointStore;
  private readonly client: KurrentDBClient;
  private readonly prefix: string;
  private readonly catalog: EventCatalog;
  private readonly pollIntervalMs: number;
  private readonly appended = new AppendSignal();
  private readonly subscriptionReads = sharedReads((o) => this.readAll(o), this.appended);
  private closed = false;

  private constructor(client: KurrentDBClient, options: KurrentDbEventStoreOptions) {
    this.client = client;
    this.prefix = options.namespace === undefined ? '' : `${options.namespace}.`;
    this.catalog = options.catalog ?? eventCatalog;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.checkpoints = { load: (id) => this.loadCheckpoint(id), save: (id, position) => this.saveCheckpoint(id, position) };
  }

  /** Connects and reads one event of $all, so a wrong URL or a missing permission fails here. */
  static async open(options: KurrentDbEventStoreOptions): Promise<KurrentDbEventStore> {
    if (options.namespace !== undefined && !namespacePattern.test(options.namespace)) {
      throw new Error(`KurrentDB namespace "${options.namespace}" must be 1 to 64 letters, digits or "_"`);
    }
    const store = new KurrentDbEventStore(KurrentDBClient.connectionString(options.connectionString), options);
    try {
      await collect(store.client.readAll({ maxCount: 1 }));
    } catch (error) {
      await store.client.dispose();
      throw unavailable('KurrentDB cannot be reached, or this user may not read $all', error);
    }
    return store;
  }

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const { tenantId, contents } = validateBatch(this.catalog, streamId, events);
    const expected = checkedExpectation(options.expectedVersion ?? 'any');
    const ids = new Set(events.map((event) => event.eventId));
    const appendId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      const head = (await this.readStored(streamId, { direction: 'backwards', maxCount: 1 }))[0];
      const version = head?.envelope.streamVersion ?? -1;
      if (!head && (expected === 'stream_exists' || typeof expected === 'number')) throw wrongVersion(streamId, -1, expected);
      if (head && head.tenantId !== tenantId) throw new EventStoreError('TenantMismatch', `stream ${streamId} belongs to another tenant`, { streamId });
      const stale = !(expected === 'any' || (expected === 'no_stream' ? version === -1 : expected === 'stream_exists' ? version >= 0 : expected === version));
      // A retried append that went through may come with an expectation gone stale since.
      if (stale || attempt > 1) {
        const done = await this.findAppended(streamId, ids);
        if (done) return done;
      }
      if (stale) throw wrongVersion(streamId, version, expected);
      if (attempt === 1 && (await this.claimEventIds(streamId, [...ids]))) {
        const done = await this.findAppended(streamId, ids);
        if (done) return done;
      }
      let next: bigint;
      try {
        const records = this.chained(events, contents, head, tenantId, appendId);
        ({ nextExpectedRevision: next } = await this.client.appendToStream(this.serverName(streamId), records, {
          streamState: version === -1 ? NO_STREAM : BigInt(version),
        }));
      } catch (error) {
        if (errorType(error) !== ErrorType.WRONG_EXPECTED_VERSION) throw unavailable(`append to ${streamId} failed`, error, streamId);
        // Someone appended since the head was read; only "any" and "stream_exists" still hold.
        if ((expected === 'any' || expected === 'stream_exists') && attempt < conflictRetries) continue;
        const actual = (error as WrongExpectedVersionError).actualState;
        throw wrongVersion(streamId, typeof actual === 'bigint' ? Number(actual) : -1, expected);
      }
      this.appended.notify();
      // Read the last event back for its position: the append result's own position is not
      // documented to be the one $all reads report for that event.
      const last = (await this.readStored(streamId, { fromVersion: Number(next), maxCount: 1 }))[0];
      if (last?.envelope.eventId === events[events.length - 1]!.eventId) {
        return { streamId, nextExpectedVersion: Number(next), position: last.envelope.globalPosition, alreadyAppended: last.appendId !== appendId };
      }
      const done = await this.findAppended(streamId, ids);
      if (done) return done;
      throw new EventStoreError('Unavailable', `KurrentDB accepted the append to ${streamId}, but its events are not there at version ${next}`, { streamId });
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<EventEnvelope[]> {
    return (await this.readStored(streamId, options)).map((stored) => this.catalog.upcast(stored.envelope));
  }

  async *streamEvents(streamId: string, options: ReadStreamOptions & { pageSize?: number } = {}): AsyncIterable<EventEnvelope> {
    for await (const stored of this.pageStored(streamId, options)) yield this.catalog.upcast(stored.envelope);
  }

  /** Filters client-side: reads $all in pages and keeps this namespace's events (of the tenant). */
  async readAll(options: ReadAllOptions = {}): Promise<EventEnvelope[]> {
    return (await this.scanAll(options)).map((stored) => this.catalog.upcast(stored.envelope));
  }

  /** As readAll, but as stored (no upcasting) with the chain hashes each event's metadata carries. */
  async readChainAll(options: ReadAllOptions = {}): Promise<ChainLink[]> {
    return (await this.scanAll(options)).map(({ envelope, prevHash, hash }) => ({ event: envelope, prevHash, hash }));
  }

  private async scanAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    const limit = options.maxCount ?? defaultPageSize;
    const scan = Math.max(limit, defaultPageSize);
    const found: StoredEvent[] = [];
    let after = options.after;
    while (found.length < limit) {
      const page = await this.read('$all', () => this.client.readAll({ fromPosition: after === undefined ? START : decodePosition(after), maxCount: scan }));
      for (const event of page) {
        const position = encodePosition(event.position);
        // fromPosition is inclusive: the event at `after` itself comes back first.
        if (after !== undefined && position <= after) continue;
        after = position;
        const streamId = this.ownStreamId(event.streamId);
        if (streamId === undefined || event.type.startsWith('$') || event.streamId.startsWith('$')) continue;
        if (options.tenantId !== undefined && (event.metadata as Partial<StoredMetadata> | undefined)?.tenantId !== options.tenantId) continue;
        found.push(toStored(event, streamId));
        if (found.length === limit) break;
      }
      if (page.length < scan) break;
    }
    return found;
  }

  /** Reads $all backwards from its end until an event of this namespace (and tenant) turns up. */
  async lastPosition(options: { readonly tenantId?: string } = {}): Promise<GlobalPosition | undefined> {
    let from: typeof END | Position = END;
    for (;;) {
      const start = from;
      const page: AllStreamRecordedEvent[] = await this.read('$all', () => this.client.readAll({ direction: BACKWARDS, fromPosition: start, maxCount: defaultPageSize }));
      for (const event of page) {
        if (this.ownStreamId(event.streamId) === undefined || event.type.startsWith('$') || event.streamId.startsWith('$')) continue;
        if (options.tenantId !== undefined && (event.metadata as Partial<StoredMetadata> | undefined)?.tenantId !== options.tenantId) continue;
        return encodePosition(event.position);
      }
      if (page.length < defaultPageSize) return undefined;
      // Backwards reads are inclusive too: the next page starts with this page's last event.
      from = page[page.length - 1]!.position;
    }
  }

  streamAll(options: ReadAllOptions & { pageSize?: number } = {}): AsyncIterable<EventEnvelope> {
    return pageAll((o) => this.readAll(o), options);
  }

  /** Relies on $all being one append-only log whose reads return only committed events. */
  subscribeToAll(options: SubscribeOptions): Subscription {
    return startCatchUpSubscription(
      { readAll: this.subscriptionReads, appended: this.appended, pollIntervalMs: this.pollIntervalMs },
      { ...options, checkpoints: options.checkpoints ?? this.checkpoints },
    );
  }

  /** `options` lets verifyStream stop at the head it read first. */
  async *readChain(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<ChainLink> {
    for await (const { envelope, prevHash, hash } of this.pageStored(streamId, options)) yield { event: envelope, prevHash, hash };
  }

  /**
   * KurrentDB keeps no head apart from the events, so the head is the last event as read first;
   * checking only the events up to it keeps a concurrent append from looking like a truncation.
   */
  async verifyStream(streamId: string): Promise<ChainReport> {
    const last = (await this.readStored(streamId, { direction: 'backwards', maxCount: 1 }))[0];
    if (!last) return verifyChain(streamId, []);
    const version = last.envelope.streamVersion;
    return verifyChain(streamId, this.readChain(streamId, { maxCount: version + 1 }), { version, hash: last.hash });
  }

  async close(): Promise<void> {
    this.appended.notify();
    if (this.closed) return;
    this.closed = true;
    await this.client.dispose();
  }

  private serverName(streamId: string): string {
    return `${this.prefix}${streamId}`;
  }

  private checkpointStream(subscriptionId: string): string {
    return `${this.prefix}_checkpoint-${subscriptionId}`;
  }

  /** Our stream id for a server stream name, or undefined for another namespace's or an internal stream. */
  private ownStreamId(serverName: string): string | undefined {
    if (!serverName.startsWith(this.prefix)) return undefined;
    const streamId = serverName.slice(this.prefix.length);
    return streamIdSchema.safeParse(streamId).success ? streamId : undefined;
  }

  private chained(events: readonly NewEvent[], contents: readonly string[], head: StoredEvent | undefined, tenantId: string, appendId: string): EventData[] {
    let prevHash = head?.hash ?? null;
    const base = (head?.envelope.streamVersion ?? -1) + 1;
    return events.map((event, i) => {
      const hash = chainHash(prevHash, base + i, contents[i]!);
      const metadata: StoredMetadata = { prevHash, hash, tenantId, schemaVersion: event.schemaVersion, appendId };
      prevHash = hash;
      return binaryEvent({ id: event.eventId, type: event.type, data: Buffer.from(contents[i]!, 'utf8'), metadata });
    });
  }

  /**
   * Claims each id for this stream. Refuses an id claimed for another stream; returns whether any
   * was claimed for this one before (a retry, or an earlier append refused after claiming). The
   * claim's own event id is random: with the event's id, KurrentDB would take a second claim for
   * the same id as an idempotent repeat and accept it.
   */
  private async claimEventIds(streamId: string, ids: readonly string[]): Promise<boolean> {
    const owners = await Promise.all(
      ids.map(async (eventId) => {
        const claim = `${this.prefix}_eventid-${eventId}`;
        try {
          await this.client.appendToStream(claim, jsonEvent({ type: 'EventIdClaimed', data: { streamId } }), { streamState: NO_STREAM });
          return undefined;
        } catch (error) {
          if (errorType(error) !== ErrorType.WRONG_EXPECTED_VERSION) throw unavailable(`claiming event id ${eventId} failed`, error, streamId);
          const [first] = await this.read(claim, () => this.client.readStream(claim, { maxCount: 1 }));
          const owner = (first?.data as { streamId?: unknown } | undefined)?.streamId;
          return typeof owner === 'string' ? owner : 'an unreadable claim';
        }
      }),
    );
    const elsewhere = owners.filter((owner) => owner !== undefined && owner !== streamId).length;
    if (elsewhere > 0) {
      throw new EventStoreError('DuplicateEventId', `cannot append to ${streamId}: ${elsewhere} of ${ids.length} event ids are already stored in another stream`, { streamId });
    }
    return owners.some((owner) => owner === streamId);
  }

  /** The result of an earlier append of exactly these ids, if the stream's tail holds them all. */
  private async findAppended(streamId: string, ids: ReadonlySet<string>): Promise<AppendResult | undefined> {
    const tail = await this.readStored(streamId, { direction: 'backwards', maxCount: idempotencyWindow });
    const found = tail.filter((stored) => ids.has(stored.envelope.eventId));
    if (found.length === 0) return undefined;
    if (found.length < ids.size) {
      throw new EventStoreError('DuplicateEventId', `cannot append to ${streamId}: ${found.length} of ${ids.size} event ids are already stored in this stream`, { streamId });
    }
    const last = found[0]!.envelope;
    return { streamId, nextExpectedVersion: last.streamVersion, position: last.globalPosition, alreadyAppended: true };
  }

  private async readStored(streamId: string, options: ReadStreamOptions): Promise<StoredEvent[]> {
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    const read: ClientReadOptions = {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromVersion === undefined ? (backwards ? END : START) : BigInt(options.fromVersion),
      maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
    };
    const name = this.serverName(streamId);
    return (await this.read(name, () => this.client.readStream(name, read))).map((event) => toStored(event, streamId));
  }

  private async *pageStored(streamId: string, options: ReadStreamOptions & { pageSize?: number }): AsyncIterable<StoredEvent> {
    const backwards = options.direction === 'backwards';
    const pageSize = options.pageSize ?? defaultPageSize;
    let from = options.fromVersion;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const wanted = Math.min(pageSize, remaining);
      const page = await this.readStored(streamId, { direction: options.direction, fromVersion: from, maxCount: wanted });
      yield* page;
      if (page.length < wanted) return;
      remaining -= page.length;
      const last = page[page.length - 1]!.envelope.streamVersion;
      from = backwards ? last - 1 : last + 1;
      if (from < 0) return;
    }
  }

  /** Every event of one client read; a stream that does not exist reads as empty. */
  private async read<Event extends RecordedEvent>(name: string, start: () => AsyncIterable<{ event?: Event }>): Promise<Event[]> {
    try {
      return (await collect(start())).flatMap(({ event }) => (event ? [event] : []));
    } catch (error) {
      if (errorType(error) === ErrorType.STREAM_NOT_FOUND) return [];
      throw unavailable(`reading ${name} failed`, error);
    }
  }

  private async loadCheckpoint(subscriptionId: string): Promise<GlobalPosition | undefined> {
    const name = this.checkpointStream(subscriptionId);
    const [latest] = await this.read(name, () => this.client.readStream(name, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }));
    const position = (latest?.data as { position?: unknown } | undefined)?.position;
    return typeof position === 'string' ? position : undefined;
  }

  /**
   * An attachment is a stream of its own, named by tenant and hash, of binary chunks below the
   * server's event size limit, written with the raw client (no catalog, no chain: the hash is the
   * check). Written once: a second put of the same content finds the stream there.
   */
  async putAttachment(tenantId: string, content: Uint8Array): Promise<AttachmentRef> {
    const ref = attachmentRefOf(content);
    const name = this.attachmentStream(tenantId, ref);
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset === 0 || offset < content.byteLength; offset += attachmentChunkBytes) chunks.push(content.subarray(offset, offset + attachmentChunkBytes));
    try {
      await this.client.appendToStream(name, chunks.map((chunk) => binaryEvent({ type: 'AttachmentChunk', data: Buffer.from(chunk) })), { streamState: NO_STREAM });
    } catch (error) {
      if (errorType(error) !== ErrorType.WRONG_EXPECTED_VERSION) throw unavailable(`storing attachment ${ref.sha256} failed`, error);
    }
    return ref;
  }

  async getAttachment(tenantId: string, ref: AttachmentLookup): Promise<Uint8Array | undefined> {
    const name = this.attachmentStream(tenantId, ref);
    const chunks = await this.read(name, () => this.client.readStream(name, { direction: FORWARDS, fromRevision: START }));
    if (chunks.length === 0) return undefined;
    const content = Buffer.concat(chunks.map((chunk) => chunk.data as Uint8Array));
    checkAttachment(ref, content);
    return content;
  }

  private attachmentStream(tenantId: string, ref: AttachmentLookup): string {
    return `${this.prefix}_attachment-${tenantId}-${ref.sha256}`;
  }

  /** Written with the raw client: a checkpoint is not a domain event and skips the catalog. */
  private async saveCheckpoint(subscriptionId: string, position: GlobalPosition): Promise<void> {
    const name = this.checkpointStream(subscriptionId);
    try {
      const { nextExpectedRevision } = await this.client.appendToStream(name, jsonEvent({ type: 'CheckpointSaved', data: { position } }), { streamState: ANY });
      // Only the latest checkpoint is read: let the server scavenge the rest.
      if (nextExpectedRevision === 0n) await this.client.setStreamMetadata(name, { maxCount: checkpointsKept });
    } catch (error) {
      throw unavailable(`saving checkpoint ${subscriptionId} failed`, error);
    }
  }
}

function toStored(record: RecordedEvent, streamId: string): StoredEvent {
  const metadata = record.metadata as Partial<StoredMetadata> | undefined;
  if (record.isJson || !(record.data instanceof Uint8Array) || typeof metadata?.hash !== 'string' || typeof metadata.tenantId !== 'string') {
    throw new EventStoreError('Unavailable', `event ${record.id} in ${record.streamId} was not written by this event store`, { streamId });
  }
  if (!record.position || record.position.commit === unknownPosition) {
    throw new EventStoreError('Unavailable', `KurrentDB sent no position for event ${record.id} of ${record.streamId}: this adapter needs KurrentDB 22.6 or later`, { streamId });
  }
  const content = JSON.parse(Buffer.from(record.data).toString('utf8')) as EventContent;
  return {
    envelope: { ...content, streamVersion: Number(record.revision), globalPosition: encodePosition(record.position) },
    prevHash: metadata.prevHash ?? null,
    hash: metadata.hash,
    tenantId: metadata.tenantId,
    appendId: metadata.appendId,
  };
}

function checkedExpectation(expected: ExpectedVersion): ExpectedVersion {
  if (typeof expected === 'number' && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new EventStoreError('InvalidEvent', `expectedVersion must be a version (0 or more), "any", "no_stream" or "stream_exists"; got ${expected}`);
  }
  return expected;
}

function wrongVersion(streamId: string, actualVersion: number, expected: ExpectedVersion): EventStoreError {
  return new EventStoreError(
    'WrongExpectedVersion',
    `stream ${streamId} is at ${actualVersion === -1 ? 'no stream' : `version ${actualVersion}`}, expected ${expected}; read it again and retry`,
    { streamId, actualVersion },
  );
}

/** The client's error code (its errors carry a `type`); plain gRPC errors, e.g. when unreachable, have none. */
function errorType(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : undefined;
}

function unavailable(message: string, error: unknown, streamId?: string): EventStoreError {
  const reason = error instanceof Error ? error.message : String(error);
  return new EventStoreError('Unavailable', `${message}: ${reason}`, { streamId, cause: error });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

import type { AttachmentLookup, AttachmentRef } from './attachments.js';
import type { EventEnvelope, GlobalPosition, NewEvent } from '@agent-orchestrator/contracts';
import type { ChainLink, ChainReport } from './hash-chain.js';

/**
 * What the writer believes about the stream: `any` skips the check, `no_stream` creates it,
 * `stream_exists` needs at least one event, a number is the version of the stream's last event.
 */
export type ExpectedVersion = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions {
  readonly expectedVersion?: ExpectedVersion;
}

export interface AppendResult {
  readonly streamId: string;
  /** The version of the stream's last event after the append: pass it as the next expectedVersion. */
  readonly nextExpectedVersion: number;
  /** Where the append's last event stands in the global order. */
  readonly position: GlobalPosition;
  /** True when every event was already in the stream (a retried append): nothing was written. */
  readonly alreadyAppended: boolean;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive. Forwards defaults to 0, backwards to the stream's end. */
  readonly fromVersion?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events after this position. Omitted: from the start of the log. */
  readonly after?: GlobalPosition;
  readonly maxCount?: number;
  /** Only this tenant's events. */
  readonly tenantId?: string;
}

/** Where a subscription has got to. Loaded once at start, saved after each handled batch (while the next one is handled). */
export interface CheckpointStore {
  load(subscriptionId: string): Promise<GlobalPosition | undefined>;
  save(subscriptionId: string, position: GlobalPosition): Promise<void>;
}

export interface SubscribeOptions {
  readonly subscriptionId: string;
  /**
   * Gets events in global order, one batch at a time. The checkpoint moves past a batch only after
   * this resolves; if it throws, the same batch comes again after a backoff, so handlers must be
   * idempotent (at-least-once). Other subscriptions of the store may get the same batch object:
   * read it, never change it.
   */
  readonly handle: (events: readonly EventEnvelope[]) => Promise<void>;
  /** Defaults to the store's own durable checkpoint table. */
  readonly checkpoints?: CheckpointStore;
  readonly batchSize?: number;
  readonly tenantId?: string;
  /** Called when a batch fails; the subscription keeps retrying it. */
  readonly onError?: (error: unknown, attempt: number) => void;
}

export interface Subscription {
  readonly subscriptionId: string;
  /** The last position whose batch was handled and checkpointed. */
  position(): GlobalPosition | undefined;
  /** Resolves once every event up to `position` has been handled and checkpointed. */
  waitFor(position: GlobalPosition, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface EventStore {
  /** Appends atomically: all events or none. Each is validated against the event catalog first. */
  append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** One page of a stream, upcast to the latest schema versions. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<EventEnvelope[]>;
  /** A whole stream (or from a version), fetched page by page. */
  streamEvents(streamId: string, options?: ReadStreamOptions & { pageSize?: number }): AsyncIterable<EventEnvelope>;
  /** One page of the global log, in the order subscriptions see it. */
  readAll(options?: ReadAllOptions): Promise<EventEnvelope[]>;
  /** Where the global log ends now, as readAll sees it (of one tenant, if given); undefined when empty. */
  lastPosition(options?: { readonly tenantId?: string }): Promise<GlobalPosition | undefined>;
  /** The global log from a position, fetched page by page. */
  streamAll(options?: ReadAllOptions & { pageSize?: number }): AsyncIterable<EventEnvelope>;
  /** Catch-up subscription to the global log with durable checkpoints; never skips an event. */
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** A stream as stored (no upcasting) with its hashes, for verification and audit export. */
  readChain(streamId: string): AsyncIterable<ChainLink>;
  /**
   * One page of the global log as stored (no upcasting) with each event's chain hashes, in the
   * order subscriptions see it; each link's event carries its globalPosition. What an audit tree
   * hashes: an upcast envelope would hash differently from the event the chain covers.
   */
  readChainAll(options?: ReadAllOptions): Promise<ChainLink[]>;
  /** Recomputes the stream's hash chain and compares it with what is stored. */
  verifyStream(streamId: string): Promise<ChainReport>;
  /**
   * Stores a payload larger than an event by its content (idempotent: the same content is one
   * attachment), to be named by an event appended after this resolves.
   */
  putAttachment(tenantId: string, content: Uint8Array): Promise<AttachmentRef>;
  /** The tenant's attachment, checked against its reference; undefined when the tenant has none by it. */
  getAttachment(tenantId: string, ref: AttachmentLookup): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

import { createHash } from 'node:crypto';
import { eventCatalog, type EventCatalog, type EventEnvelope, type GlobalPosition, type NewEvent } from '@agent-orchestrator/contracts';
import pg from 'pg';
import { attachmentRefOf, checkAttachment, type AttachmentLookup, type AttachmentRef } from '../attachments.js';
import { EventStoreError } from '../errors.js';
import { verifyChain, type ChainHead, type ChainLink, type ChainReport } from '../hash-chain.js';
import type {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventStore,
  ExpectedVersion,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
} from '../port.js';
import { defaultPageSize, pageAll } from '../paging.js';
import { AppendSignal, sharedReads, startCatchUpSubscription } from '../subscription.js';
import { validateBatch } from '../validate-batch.js';
import { AppendListener } from './append-listener.js';
import { decodePosition, encodePosition } from './position.js';
import { appendChannel, migrate } from './schema.js';

export interface PostgresEventStoreOptions {
  readonly pool: pg.Pool;
  /** The schema that holds the store's tables. */
  readonly schema?: string;
  readonly catalog?: EventCatalog;
  /**
   * How long a caught-up subscription waits for an append it is told of before it reads again.
   * Appends in any process are told of (LISTEN/NOTIFY); the poll finds any that went unheard.
   */
  readonly pollIntervalMs?: number;
  /** Hears of trouble with the connection that listens for appends (subscriptions poll meanwhile). */
  readonly onListenError?: (error: unknown) => void;
}

interface EventRow {
  content: Omit<EventEnvelope, 'streamVersion' | 'globalPosition'>;
  stream_version: string;
  position: string;
}

interface AppendRow {
  next_version: string;
  transaction_id: string;
  last_position: string;
}

interface ChainRow extends EventRow {
  prev_hash: Buffer | null;
  hash: Buffer;
}

/** How often an append is retried when its transaction id sorts before the stream head's (ES40R). */
const orderingRetries = 5;

export class PostgresEventStore implements EventStore {
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly catalog: EventCatalog;
  private readonly appended = new AppendSignal();
  private readonly subscriptionReads = sharedReads((o) => this.readAll(o), this.appended);
  private readonly pollIntervalMs: number;
  private readonly onListenError?: (error: unknown) => void;
  /** Started by the first subscription: a process that only appends and reads needs no listener. */
  private listener?: AppendListener;
  private closed = false;
  private readonly sql: ReturnType<typeof statements>;
  readonly checkpoints: CheckpointStore;

  private constructor(options: PostgresEventStoreOptions) {
    this.pool = options.pool;
    this.schema = options.schema ?? 'event_store';
    this.catalog = options.catalog ?? eventCatalog;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.onListenError = options.onListenError;
    this.sql = statements(pg.escapeIdentifier(this.schema));
    this.checkpoints = {
      load: async (id) => (await this.query<{ position: string }>(this.sql.loadCheckpoint, [id])).rows[0]?.position,
      save: async (id, position) => {
        await this.query(this.sql.saveCheckpoint, [id, position]);
      },
    };
  }

  /** Connects to the schema, creating its tables if needed. */
  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(options);
    await migrate(store.pool, store.schema);
    return store;
  }

  async putAttachment(tenantId: string, content: Uint8Array): Promise<AttachmentRef> {
    const ref = attachmentRefOf(content);
    await this.query(this.sql.putAttachment, [tenantId, Buffer.from(ref.sha256, 'hex'), content]);
    return ref;
  }

  async getAttachment(tenantId: string, ref: AttachmentLookup): Promise<Uint8Array | undefined> {
    const { rows } = await this.query<{ content: Buffer }>(this.sql.getAttachment, [tenantId, Buffer.from(ref.sha256, 'hex')]);
    const content = rows[0]?.content;
    if (content !== undefined) checkAttachment(ref, content);
    return content;
  }

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const params = this.appendParams(streamId, events, options);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = appendResultOf(streamId, await this.query<AppendRow>(this.sql.append, params));
        this.appended.notify(result.position);
        return result;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'ES40R' && attempt < orderingRetries) continue;
        if (code === 'ES409' || (code === '23505' && (error as { constraint?: string }).constraint === 'events_event_id')) {
          const retried = await this.earlierAppend(streamId, events);
          if (retried) return retried;
        }
        throw appendError(error, streamId, options.expectedVersion ?? 'any');
      }
    }
  }

  /**
   * Appends inside the transaction the caller holds on `client` (a connection to this store's
   * database), so the caller's own rows and these events commit together or not at all: no dual
   * write. Same validation, SQL function and hash chain as `append`. Unlike `append` it cannot
   * retry: any refusal has already aborted the caller's transaction. A stream head written by a
   * newer transaction (which append would retry) is refused as Unavailable, to be retried in a new
   * transaction; an event id already stored is refused as DuplicateEventId, since inside an aborted
   * transaction a retried append cannot be told from a clash. Subscriptions hear of the events when
   * the transaction commits. Keep the transaction short: until it ends, no reader of the global
   * log gets past its position.
   */
  async appendIn(client: pg.ClientBase, streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const params = this.appendParams(streamId, events, options);
    try {
      return appendResultOf(streamId, await client.query<AppendRow>({ name: this.sql.append.name, text: this.sql.append.text, values: params }));
    } catch (error) {
      const pgError = error as { code?: string; constraint?: string };
      if (pgError.code === 'ES40R') {
        throw new EventStoreError('Unavailable', `append to ${streamId} raced a newer transaction for the stream; retry the whole transaction`, { streamId, cause: error });
      }
      if (pgError.code === '23505' && pgError.constraint === 'events_event_id') {
        throw new EventStoreError('DuplicateEventId', `cannot append to ${streamId} in this transaction: an event id of the batch is already stored`, { streamId });
      }
      throw appendError(error, streamId, options.expectedVersion ?? 'any');
    }
  }

  private appendParams(streamId: string, events: readonly NewEvent[], options: AppendOptions): unknown[] {
    const { tenantId, contents } = validateBatch(this.catalog, streamId, events);
    return [streamId, tenantId, expectedParam(options.expectedVersion ?? 'any'), events.map((e) => e.eventId), events.map((e) => e.type), contents];
  }

  /**
   * Called when an append was refused for its expected version or its event ids: if every event
   * is already in this stream, the append is a retry of one that succeeded and answers as such.
   * Some but not all, or in another stream, can never succeed.
   */
  private async earlierAppend(streamId: string, events: readonly NewEvent[]): Promise<AppendResult | undefined> {
    const { rows } = await this.query<{ stream_id: string; stream_version: string; position: string }>(this.sql.findEvents, [
      events.map((e) => e.eventId),
    ]);
    if (rows.length === 0) return undefined;
    if (rows.length === events.length && rows.every((r) => r.stream_id === streamId)) {
      const last = rows.reduce((a, b) => (Number(a.stream_version) > Number(b.stream_version) ? a : b));
      return { streamId, nextExpectedVersion: Number(last.stream_version), position: last.position, alreadyAppended: true };
    }
    const here = rows.filter((r) => r.stream_id === streamId).length;
    throw new EventStoreError(
      'DuplicateEventId',
      `cannot append to ${streamId}: ${rows.length} of ${events.length} event ids are already stored, ${here} of them in this stream`,
      { streamId },
    );
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<EventEnvelope[]> {
    const rows = await this.readStreamRows<EventRow>(streamId, options, false);
    return rows.map((row) => this.catalog.upcast(toEnvelope(row)));
  }

  async *streamEvents(streamId: string, options: ReadStreamOptions & { pageSize?: number } = {}): AsyncIterable<EventEnvelope> {
    for await (const row of this.pageStream<EventRow>(streamId, options, false)) yield this.catalog.upcast(toEnvelope(row));
  }

  async readAll(options: ReadAllOptions = {}): Promise<EventEnvelope[]> {
    const after = options.after === undefined ? { transactionId: '0', globalPosition: '0' } : decodePosition(options.after);
    const limit = options.maxCount ?? defaultPageSize;
    const { rows } =
      options.tenantId === undefined
        ? await this.query<EventRow>(this.sql.readAll, [after.transactionId, after.globalPosition, limit])
        : await this.query<EventRow>(this.sql.readAllForTenant, [after.transactionId, after.globalPosition, limit, options.tenantId]);
    return rows.map((row) => this.catalog.upcast(toEnvelope(row)));
  }

  async lastPosition(options: { readonly tenantId?: string } = {}): Promise<GlobalPosition | undefined> {
    const { rows } =
      options.tenantId === undefined
        ? await this.query<{ position: string }>(this.sql.lastPosition)
        : await this.query<{ position: string }>(this.sql.lastPositionForTenant, [options.tenantId]);
    return rows[0]?.position;
  }

  streamAll(options: ReadAllOptions & { pageSize?: number } = {}): AsyncIterable<EventEnvelope> {
    return pageAll((o) => this.readAll(o), options);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    if (!this.closed) this.listener ??= this.listen();
    return startCatchUpSubscription(
      { readAll: this.subscriptionReads, appended: this.appended, pollIntervalMs: this.pollIntervalMs },
      { ...options, checkpoints: options.checkpoints ?? this.checkpoints },
    );
  }

  async *readChain(streamId: string): AsyncIterable<ChainLink> {
    for await (const row of this.pageStream<ChainRow>(streamId, {}, true)) {
      yield { event: toEnvelope(row), prevHash: row.prev_hash?.toString('hex') ?? null, hash: row.hash.toString('hex') };
    }
  }

  async readChainAll(options: ReadAllOptions = {}): Promise<ChainLink[]> {
    const after = options.after === undefined ? { transactionId: '0', globalPosition: '0' } : decodePosition(options.after);
    const limit = options.maxCount ?? defaultPageSize;
    const { rows } =
      options.tenantId === undefined
        ? await this.query<ChainRow>(this.sql.readChainAll, [after.transactionId, after.globalPosition, limit])
        : await this.query<ChainRow>(this.sql.readChainAllForTenant, [after.transactionId, after.globalPosition, limit, options.tenantId]);
    return rows.map((row) => ({ event: toEnvelope(row), prevHash: row.prev_hash?.toString('hex') ?? null, hash: row.hash.toString('hex') }));
  }

  async verifyStream(streamId: string): Promise<ChainReport> {
    const { rows } = await this.query<{ version: string; last_hash: Buffer | null }>(this.sql.streamHead, [streamId]);
    const head: ChainHead | undefined = rows[0] && { version: Number(rows[0].version), hash: rows[0].last_hash?.toString('hex') ?? '' };
    return verifyChain(streamId, this.readChain(streamId), head);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.appended.notify();
    await this.listener?.close();
    this.listener = undefined;
  }

  private listen(): AppendListener {
    return new AppendListener({
      connection: this.pool.options,
      channel: appendChannel(this.schema),
      // An append's events sort after (its transaction id, 0): a read that has not got that far missed them.
      onAppend: (transactionId) => this.appended.notify(encodePosition(transactionId, '0')),
      onListening: () => this.appended.notify(),
      onError: this.onListenError,
    });
  }

  private query<Row extends pg.QueryResultRow>(statement: Statement, values?: unknown[]): Promise<pg.QueryResult<Row>> {
    return this.pool.query<Row>({ name: statement.name, text: statement.text, values });
  }

  private async readStreamRows<Row extends EventRow>(streamId: string, options: ReadStreamOptions, withHashes: boolean): Promise<Row[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromVersion ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const limit = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const sql = backwards ? this.sql.readStreamBackwards : withHashes ? this.sql.readChain : this.sql.readStreamForwards;
    return (await this.query<Row>(sql, [streamId, from, limit])).rows;
  }

  private async *pageStream<Row extends EventRow>(
    streamId: string,
    options: ReadStreamOptions & { pageSize?: number },
    withHashes: boolean,
  ): AsyncIterable<Row> {
    const backwards = options.direction === 'backwards';
    const pageSize = options.pageSize ?? defaultPageSize;
    let from = options.fromVersion;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const wanted = Math.min(pageSize, remaining);
      const page = await this.readStreamRows<Row>(streamId, { direction: options.direction, fromVersion: from, maxCount: wanted }, withHashes);
      yield* page;
      if (page.length < wanted) return;
      remaining -= page.length;
      const last = Number(page[page.length - 1]!.stream_version);
      from = backwards ? last - 1 : last + 1;
      if (from < 0) return;
    }
  }
}

function statements(s: string) {
  // The position is formatted by the server (see position.ts): cheaper than in JS per row.
  const position = `lpad(transaction_id::text, 20, '0') || '-' || lpad(global_position::text, 20, '0')`;
  const columns = `content, stream_version, ${position} AS position`;
  // Only transactions older than every running one are final: nothing can commit below them.
  const visible = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;
  return prepared({
    append: `SELECT * FROM ${s}.append_events($1, $2, $3, $4::uuid[], $5::text[], $6::text[])`,
    readStreamForwards: `SELECT ${columns} FROM ${s}.events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version LIMIT $3`,
    readStreamBackwards: `SELECT ${columns} FROM ${s}.events WHERE stream_id = $1 AND stream_version <= $2 ORDER BY stream_version DESC LIMIT $3`,
    readChain: `SELECT ${columns}, prev_hash, hash FROM ${s}.events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version LIMIT $3`,
    readAll: `SELECT ${columns} FROM ${s}.events
               WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint) AND ${visible}
               ORDER BY transaction_id, global_position LIMIT $3`,
    readAllForTenant: `SELECT ${columns} FROM ${s}.events
               WHERE tenant_id = $4 AND (transaction_id, global_position) > ($1::text::xid8, $2::bigint) AND ${visible}
               ORDER BY transaction_id, global_position LIMIT $3`,
    readChainAll: `SELECT ${columns}, prev_hash, hash FROM ${s}.events
               WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint) AND ${visible}
               ORDER BY transaction_id, global_position LIMIT $3`,
    readChainAllForTenant: `SELECT ${columns}, prev_hash, hash FROM ${s}.events
               WHERE tenant_id = $4 AND (transaction_id, global_position) > ($1::text::xid8, $2::bigint) AND ${visible}
               ORDER BY transaction_id, global_position LIMIT $3`,
    lastPosition: `SELECT ${position} AS position FROM ${s}.events WHERE ${visible} ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    lastPositionForTenant: `SELECT ${position} AS position FROM ${s}.events WHERE tenant_id = $1 AND ${visible}
                            ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    findEvents: `SELECT stream_id, stream_version, ${position} AS position FROM ${s}.events WHERE event_id = ANY ($1::uuid[])`,
    streamHead: `SELECT version, last_hash FROM ${s}.streams WHERE stream_id = $1`,
    putAttachment: `INSERT INTO ${s}.attachments (tenant_id, sha256, content) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, sha256) DO NOTHING`,
    getAttachment: `SELECT content FROM ${s}.attachments WHERE tenant_id = $1 AND sha256 = $2`,
    loadCheckpoint: `SELECT position FROM ${s}.subscription_checkpoints WHERE subscription_id = $1`,
    // Committed without waiting for the WAL flush (synchronous_commit off, for this transaction
    // only): a checkpoint lost to a server crash only hands the batches after the previous one out
    // again, which subscribers must absorb anyway; and the write then holds its transaction id,
    // which keeps newer appends from every reader (see visible), for less time.
    saveCheckpoint: `WITH unflushed AS (SELECT set_config('synchronous_commit', 'off', true))
                     INSERT INTO ${s}.subscription_checkpoints (subscription_id, position) SELECT $1, $2 FROM unflushed
                     ON CONFLICT (subscription_id) DO UPDATE SET position = excluded.position, updated_at = now()`,
  });
}

interface Statement {
  readonly name: string;
  readonly text: string;
}

/**
 * Names each statement after its text, so every pooled connection parses and plans it once and
 * then only binds and executes it: for the short, frequent reads of subscriptions and streams,
 * parsing and planning were half or more of the server's work. (A pooler in transaction mode
 * must track prepared statements per server connection, as PgBouncer 1.21+ can.)
 */
function prepared<Keys extends string>(texts: Record<Keys, string>): Record<Keys, Statement> {
  const named = {} as Record<Keys, Statement>;
  for (const key of Object.keys(texts) as Keys[]) {
    const text = texts[key];
    named[key] = { name: `event_store_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`, text };
  }
  return named;
}

function appendResultOf(streamId: string, { rows }: pg.QueryResult<AppendRow>): AppendResult {
  const row = rows[0]!;
  return { streamId, nextExpectedVersion: Number(row.next_version), position: encodePosition(row.transaction_id, row.last_position), alreadyAppended: false };
}

/** Completes the freshly parsed content in place: reads are hot, and the object is ours alone. */
function toEnvelope(row: EventRow): EventEnvelope {
  const envelope = row.content as { -readonly [K in keyof EventEnvelope]: EventEnvelope[K] };
  envelope.streamVersion = Number(row.stream_version);
  envelope.globalPosition = row.position;
  return envelope;
}

function expectedParam(expected: ExpectedVersion): string {
  if (typeof expected === 'number') {
    if (!Number.isSafeInteger(expected) || expected < 0) {
      throw new EventStoreError('InvalidEvent', `expectedVersion must be a version (0 or more), "any", "no_stream" or "stream_exists"; got ${expected}`);
    }
    return String(expected);
  }
  return expected;
}

function appendError(error: unknown, streamId: string, expected: ExpectedVersion): Error {
  const pgError = error as { code?: string; detail?: string; constraint?: string; message?: string };
  switch (pgError.code) {
    case 'ES409': {
      const actualVersion = Number(pgError.detail);
      return new EventStoreError(
        'WrongExpectedVersion',
        `stream ${streamId} is at ${actualVersion === -1 ? 'no stream' : `version ${actualVersion}`}, expected ${expected}; read it again and retry`,
        { streamId, actualVersion },
      );
    }
    case 'ES403':
      return new EventStoreError('TenantMismatch', `stream ${streamId} belongs to another tenant`, { streamId });
    case '23505':
      // The event ids were there at insert but gone at look-up: their transaction rolled back.
      return new EventStoreError('Unavailable', `append to ${streamId} met its event ids in a concurrent write; retry`, { streamId, cause: error });
    default:
      return new EventStoreError('Unavailable', `append to ${streamId} failed: ${pgError.message ?? String(error)}`, { streamId, cause: error });
  }
}

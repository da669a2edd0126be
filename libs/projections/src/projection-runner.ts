import { comparePositions, type EventEnvelope, type GlobalPosition } from '@agent-orchestrator/contracts';
import type { EventStore, Subscription } from '@agent-orchestrator/event-store';
import type { DataSource, EntityManager } from 'typeorm';
import { failureKind } from './failure-kind.js';
import type { Projection } from './projection.js';
import { defaultQuarantinePolicy, describeFailure, QuarantineTable, type EventFailure, type QuarantinedEvent, type QuarantinePolicy, type RetryResult } from './quarantine.js';
import { ProjectionStatusTable } from './projection-status.js';
import { StatusReporter } from './status-reporter.js';
import { applyPage, rebuildInShadow } from './shadow-rebuild.js';
import { storableEvent } from './storable-text.js';

export interface RebuildProgress {
  readonly projection: string;
  readonly eventsApplied: number;
  /** What `eventsApplied` counts up to: the log's size when the rebuild began (`countEvents`), else undefined. */
  readonly total?: number;
  readonly position: GlobalPosition | undefined;
  /** Events the rebuild could not apply and quarantined (a shadow rebuild's; the live runner's are counted by `status`). */
  readonly quarantined?: number;
}

export interface ProjectionRunnerOptions {
  readonly store: EventStore;
  readonly dataSource: DataSource;
  /** Schema of the checkpoint and quarantine tables; the projection's own tables are its business. */
  readonly schema?: string;
  readonly batchSize?: number;
  /**
   * Events a shadow rebuild reads and applies at a time (default 5,000, or `batchSize` if larger):
   * reading the log in big pages costs a third of reading it in pages of 1,000, and a projection
   * that folds a page in memory (`applyBatch`) writes fewer, fuller statements.
   */
  readonly rebuildBatchSize?: number;
  /** With the projection's `bulkWriter`: the events and rows a rebuild folds in memory before it writes them (default 50,000). */
  readonly rebuildHeldLimit?: number;
  readonly quarantine?: Partial<QuarantinePolicy>;
  /** A failure that is retried for as long as it takes (the database or network), each attempt. */
  readonly onError?: (error: unknown, attempt: number) => void;
  /** Once per event quarantined, after the transaction that quarantined it committed. */
  readonly onQuarantine?: (event: QuarantinedEvent) => void;
  /** After `start` applied its quarantined events again: what each came to. */
  readonly onRetried?: (results: readonly RetryResult[]) => void;
  /** How often the runner writes its row of `projection_status` (its heartbeat); default 2000 ms. */
  readonly statusIntervalMs?: number;
  /** The role that reads `projection_status` (the gateway's application role); granted SELECT on it. */
  readonly statusReader?: string;
  /** How many events the log holds (an estimate will do): a rebuild's progress total, for an ETA. */
  readonly countEvents?: () => Promise<number>;
}

/** Where a projection stands, for readiness. */
export interface ProjectionStatus {
  readonly projection: string;
  readonly position: GlobalPosition | undefined;
  /** Events in the log after the position, counted up to `lagCountLimit`. */
  readonly lag: number;
  readonly quarantined: number;
  /** Since when the batch in hand has been handled (retries included); undefined when idle. */
  readonly handlingSince: Date | undefined;
}

/** Counting lag reads events; past this many the figure only says "at least". */
export const lagCountLimit = 1000;

/** An event is failing but its retry window is still open: the subscription retries the batch with backoff. */
class EventRetrying extends Error {
  override readonly name = 'EventRetrying';
}

/**
 * Keeps a projection caught up with the event store. Rows and checkpoint commit together; the
 * event store's subscription never skips, and retries a failing batch with backoff.
 *
 * One event never stops the projection. A batch that fails on its data is applied again event by
 * event, each under a savepoint: events before the failing one commit with the checkpoint, the
 * failing one is retried with the subscription's backoff, and once it has failed `attempts` times
 * over `windowMs` it is quarantined (recorded beside the checkpoints, its row marked incomplete)
 * in the transaction that moves on past it. Failures of the database itself are retried forever.
 */
export class ProjectionRunner {
  private subscription?: Subscription;
  private readonly table: string;
  private readonly quarantine: QuarantineTable;
  private readonly policy: QuarantinePolicy;
  /** Events failing on their data and not yet quarantined, by event id. */
  private readonly failing = new Map<string, EventFailure>();
  private committed: GlobalPosition | undefined;
  private handlingSince: Date | undefined;
  private readonly statusTable: ProjectionStatusTable;
  private reporter?: StatusReporter;
  /** Events quarantined by this runner since it was made: a counter for metrics. */
  quarantinedTotal = 0;

  constructor(
    private readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions,
  ) {
    const schema = `"${options.schema ?? 'public'}"`;
    this.table = `${schema}.projection_checkpoints`;
    this.quarantine = new QuarantineTable(`${schema}.projection_quarantine`);
    this.statusTable = new ProjectionStatusTable(options.schema ?? 'public');
    this.policy = { ...defaultQuarantinePolicy, ...options.quarantine };
  }

  get name(): string {
    return this.projection.name;
  }

  /** Sets up tables, rebuilds first when the stored checkpoint is of another version, then follows the log. */
  async start(): Promise<Subscription> {
    await this.setUpTables(true);
    // A fix is deployed by restarting the process: its quarantined events are applied again then,
    // without anyone having to ask (those still refused stay, with one more attempt).
    const retried = await this.retryQuarantined();
    if (retried.length > 0) this.options.onRetried?.(retried);
    this.subscription = this.follow(() => undefined);
    this.reporter = new StatusReporter({
      projection: this.projection,
      table: this.statusTable,
      dataSource: this.options.dataSource,
      checkpoints: this.table,
      read: async () => {
        const status = await this.status();
        return { position: status.position, lag: status.lag, lagCapped: status.lag >= lagCountLimit, quarantined: status.quarantined };
      },
      intervalMs: this.options.statusIntervalMs ?? 2000,
      onError: (error) => this.options.onError?.(error, 1),
    });
    await this.reporter.start();
    return this.subscription;
  }

  /** The checkpoint, quarantine and status tables and the projection's own; a stored checkpoint of another version empties the model when asked. */
  private async setUpTables(clearOtherVersion: boolean): Promise<void> {
    await this.options.dataSource.transaction(async (tx) => {
      // Several processes may start at once; CREATE TABLE IF NOT EXISTS alone races on the catalog.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`projection-checkpoints:${this.table}`]);
      await tx.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        projection text PRIMARY KEY, version int NOT NULL, position text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
      await this.quarantine.setUp(tx);
      await this.statusTable.setUp(tx, this.options.statusReader);
      await this.projection.setUp(tx);
      if (!clearOtherVersion) return;
      const [stored] = await tx.query(`SELECT version FROM ${this.table} WHERE projection = $1`, [this.projection.name]);
      if (stored && stored.version !== this.projection.version) await this.clear(tx);
    });
  }

  /**
   * Resolves once the read model holds every event up to `position` (applied here or by another
   * process running the same projection), so a query of it sees what the log said by then.
   */
  async waitFor(position: GlobalPosition, timeoutMs?: number): Promise<void> {
    if (!this.subscription) throw new Error(`projection ${this.projection.name} is not running`);
    await this.subscription.waitFor(position, timeoutMs);
  }

  /** Stops following the log and reporting: the status row's heartbeat goes stale, and readers see it stalled once it is. */
  async stop(): Promise<void> {
    await this.reporter?.stop();
    this.reporter = undefined;
    await this.stopFollowing();
  }

  private async stopFollowing(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  /**
   * Builds the projection again from the start of the log, reporting progress after every batch.
   * A projection that names its tables (`readModelTables`, `inSchema`) is built into shadow tables while
   * the live ones keep following the log, and swapped in at once (see rebuildInShadow). One that
   * does not is emptied and built in place up to `until` (default: the log's end when the
   * rebuild began). Follows the log afterwards, as after `start`.
   */
  async rebuild(onProgress: (progress: RebuildProgress) => void = () => undefined, until?: GlobalPosition): Promise<RebuildProgress> {
    const total = await this.options.countEvents?.();
    if (this.projection.readModelTables && this.projection.inSchema) {
      await this.setUpTables(false);
      const { name } = this.projection;
      const result = await rebuildInShadow({
        store: this.options.store,
        dataSource: this.options.dataSource,
        projection: this.projection,
        checkpoints: this.table,
        quarantine: this.quarantine,
        batchSize: this.options.rebuildBatchSize ?? Math.max(this.options.batchSize ?? 500, 5000),
        ...(this.options.rebuildHeldLimit === undefined ? {} : { heldLimit: this.options.rebuildHeldLimit }),
        onProgress: (eventsApplied, position) => onProgress({ projection: name, eventsApplied, position, ...(total === undefined ? {} : { total: Math.max(total, eventsApplied) }) }),
      });
      for (const record of result.quarantined) this.options.onQuarantine?.(record);
      this.subscription ??= this.follow(() => undefined);
      return { projection: name, eventsApplied: result.eventsApplied, position: result.position, quarantined: result.quarantined.length, ...(total === undefined ? {} : { total: Math.max(total, result.eventsApplied) }) };
    }
    return this.rebuildInPlace(onProgress, until, total);
  }

  private async rebuildInPlace(onProgress: (progress: RebuildProgress) => void, until: GlobalPosition | undefined, total: number | undefined): Promise<RebuildProgress> {
    await this.stopFollowing();
    const target = until ?? (await this.options.store.lastPosition());
    await this.options.dataSource.transaction(async (tx) => {
      await this.projection.setUp(tx);
      await this.clear(tx);
    });
    let eventsApplied = 0;
    let position: GlobalPosition | undefined;
    this.subscription = this.follow((count, at) => {
      eventsApplied += count;
      position = at;
      onProgress({ projection: this.projection.name, eventsApplied, position, ...(total === undefined ? {} : { total: Math.max(total, eventsApplied) }) });
    });
    if (target !== undefined) await this.subscription.waitFor(target, 24 * 60 * 60 * 1000);
    return { projection: this.projection.name, eventsApplied, position };
  }

  /** The events this projection quarantined (one, or all), oldest first. */
  quarantined(eventId?: string): Promise<QuarantinedEvent[]> {
    return this.quarantine.list(this.options.dataSource.manager, this.projection.name, eventId);
  }

  /**
   * Applies quarantined events again (one, some, or all) after a fix, each in its own transaction under
   * the checkpoint's lock: one that applies leaves the quarantine and its row's mark; one that
   * fails again stays, with the new reason.
   */
  async retryQuarantined(eventIds?: string | readonly string[]): Promise<RetryResult[]> {
    const results: RetryResult[] = [];
    const only = eventIds === undefined ? undefined : new Set(typeof eventIds === 'string' ? [eventIds] : eventIds);
    const records = await this.quarantined(typeof eventIds === 'string' ? eventIds : undefined);
    for (const record of records.filter((candidate) => only === undefined || only.has(candidate.eventId))) {
      const [event] = await this.options.store.readStream(record.streamId, { fromVersion: record.streamVersion, maxCount: 1 });
      if (event === undefined || event.eventId !== record.eventId) {
        results.push({ eventId: record.eventId, applied: false, reason: 'the event is no longer in the log' });
        continue;
      }
      const storable = storableEvent(event);
      try {
        await this.options.dataSource.transaction(async (tx) => {
          await this.lockCheckpoint(tx);
          await this.projection.apply(storable, tx);
          await this.quarantine.remove(tx, this.projection.name, record.eventId);
          await this.projection.markComplete?.(storable, tx);
        });
        results.push({ eventId: record.eventId, applied: true });
      } catch (error) {
        const reason = describeFailure(error);
        await this.options.dataSource.transaction((tx) => this.quarantine.failedAgain(tx, this.projection.name, record.eventId, reason));
        results.push({ eventId: record.eventId, applied: false, reason });
      }
    }
    return results;
  }

  async status(): Promise<ProjectionStatus> {
    const quarantined = await this.quarantine.count(this.options.dataSource.manager, this.projection.name);
    const position = this.subscription?.position() ?? this.committed;
    const last = await this.options.store.lastPosition();
    const behind = last !== undefined && (position === undefined || comparePositions(last, position) > 0);
    const lag = behind ? (await this.options.store.readAll({ after: position, maxCount: lagCountLimit })).length : 0;
    return { projection: this.projection.name, position, lag, quarantined, handlingSince: this.handlingSince };
  }

  private follow(progress: (count: number, position: GlobalPosition) => void): Subscription {
    const { name } = this.projection;
    return this.options.store.subscribeToAll({
      subscriptionId: `projection:${name}`,
      batchSize: this.options.batchSize ?? 500,
      // An event still inside its retry window is not news: it is logged once, if it is quarantined.
      onError: (error, attempt) => {
        if (!(error instanceof EventRetrying)) this.options.onError?.(error, attempt);
      },
      // The checkpoint is written by `handle`, in the read model's transaction.
      checkpoints: {
        load: async () => (await this.options.dataSource.query(`SELECT position FROM ${this.table} WHERE projection = $1`, [name]))[0]?.position,
        save: async () => undefined,
      },
      handle: async (events) => {
        this.handlingSince ??= new Date();
        await this.handle(events);
        this.handlingSince = undefined;
        this.reporter?.applied(events.length);
        const last = events[events.length - 1]!.globalPosition;
        this.committed = last;
        progress(events.length, last);
      },
    });
  }

  private async handle(events: readonly EventEnvelope[]): Promise<void> {
    if (!events.some((event) => this.failing.has(event.eventId))) {
      try {
        await this.options.dataSource.transaction(async (tx) => {
          // Rows and checkpoint commit together, so a commit lost to a server crash loses both and
          // the batch is applied again from the log: no need to wait for the WAL flush. The
          // transaction also holds its id for less time, which keeps newer appends from readers.
          await tx.query('SET LOCAL synchronous_commit = off');
          const after = await this.lockCheckpoint(tx);
          await applyPage(this.projection, events.filter((event) => isAfter(event, after)), tx);
          await this.saveCheckpoint(tx, events[events.length - 1]!.globalPosition);
        });
        return;
      } catch (error) {
        if (failureKind(error) === 'infrastructure') throw error;
      }
    }
    await this.handleOneByOne(events);
  }

  /**
   * The batch again, each event under a savepoint. Stops at an event still inside its retry
   * window (committing what came before it) and quarantines one past it.
   */
  private async handleOneByOne(events: readonly EventEnvelope[]): Promise<void> {
    const quarantined: QuarantinedEvent[] = [];
    let retrying: EventRetrying | undefined;
    await this.options.dataSource.transaction(async (tx) => {
      await tx.query('SET LOCAL synchronous_commit = off');
      const after = await this.lockCheckpoint(tx);
      let last: GlobalPosition | undefined;
      for (const event of events) {
        if (!isAfter(event, after)) continue;
        const storable = storableEvent(event);
        await tx.query('SAVEPOINT projection_event');
        try {
          await this.projection.apply(storable, tx);
          await tx.query('RELEASE SAVEPOINT projection_event');
          this.failing.delete(event.eventId);
        } catch (error) {
          // A connection that died fails here too, and the whole transaction is retried.
          await tx.query('ROLLBACK TO SAVEPOINT projection_event');
          if (failureKind(error) === 'infrastructure') throw error;
          const failure = this.failed(event, error);
          if (failure.attempts < this.policy.attempts || failure.lastFailedAt.getTime() - failure.firstFailedAt.getTime() < this.policy.windowMs) {
            retrying = new EventRetrying(`${event.type} ${event.eventId} failed (attempt ${failure.attempts}): ${failure.reason}`, { cause: error });
            break;
          }
          quarantined.push(await this.quarantine.record(tx, this.projection.name, event, failure));
          await this.markIncomplete(storable, tx);
        }
        last = event.globalPosition;
      }
      if (last !== undefined) await this.saveCheckpoint(tx, last);
    });
    for (const record of quarantined) {
      this.failing.delete(record.eventId);
      this.quarantinedTotal++;
      this.options.onQuarantine?.(record);
    }
    if (retrying) throw retrying;
  }

  /** A mark that fails on the event's data is left out: the quarantine record still tells. */
  private async markIncomplete(event: EventEnvelope, tx: EntityManager): Promise<void> {
    if (!this.projection.markIncomplete) return;
    await tx.query('SAVEPOINT projection_mark');
    try {
      await this.projection.markIncomplete(event, tx);
      await tx.query('RELEASE SAVEPOINT projection_mark');
    } catch (error) {
      await tx.query('ROLLBACK TO SAVEPOINT projection_mark');
      if (failureKind(error) === 'infrastructure') throw error;
    }
  }

  private failed(event: EventEnvelope, error: unknown): EventFailure {
    const now = new Date();
    const before = this.failing.get(event.eventId);
    const failure = { attempts: (before?.attempts ?? 0) + 1, firstFailedAt: before?.firstFailedAt ?? now, lastFailedAt: now, reason: describeFailure(error) };
    this.failing.set(event.eventId, failure);
    return failure;
  }

  /**
   * The checkpoint, locked until the transaction ends: a batch handed out again (after a partial
   * commit, or to another process running the same projection) applies only what is past it.
   */
  private async lockCheckpoint(tx: EntityManager): Promise<GlobalPosition | undefined> {
    const [row] = (await tx.query(`SELECT position FROM ${this.table} WHERE projection = $1 FOR UPDATE`, [this.projection.name])) as { position: string }[];
    return row?.position;
  }

  private async saveCheckpoint(tx: EntityManager, position: GlobalPosition): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.table} (projection, version, position) VALUES ($1, $2, $3)
       ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = excluded.position, updated_at = now()
       WHERE ${this.table}.position < excluded.position`,
      [this.projection.name, this.projection.version, position],
    );
  }

  private async clear(tx: EntityManager): Promise<void> {
    await this.projection.reset(tx);
    await tx.query(`DELETE FROM ${this.table} WHERE projection = $1`, [this.projection.name]);
    await this.quarantine.clear(tx, this.projection.name);
  }
}

function isAfter(event: EventEnvelope, position: GlobalPosition | undefined): boolean {
  return position === undefined || comparePositions(event.globalPosition, position) > 0;
}

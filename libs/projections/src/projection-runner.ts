import type { GlobalPosition } from '@agent-orchestrator/contracts';
import type { EventStore, Subscription } from '@agent-orchestrator/event-store';
import type { DataSource, EntityManager } from 'typeorm';
import type { Projection } from './projection.js';

export interface RebuildProgress {
  readonly projection: string;
  readonly eventsApplied: number;
  readonly position: GlobalPosition | undefined;
}

export interface ProjectionRunnerOptions {
  readonly store: EventStore;
  readonly dataSource: DataSource;
  /** Schema of the checkpoint table; the projection's own tables are its business. */
  readonly schema?: string;
  readonly batchSize?: number;
  readonly onError?: (error: unknown, attempt: number) => void;
}

/**
 * Keeps a projection caught up with the event store. Rows and checkpoint commit together; the
 * event store's subscription never skips, and retries a failing batch with backoff.
 */
export class ProjectionRunner {
  private subscription?: Subscription;
  private readonly table: string;

  constructor(
    private readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions,
  ) {
    this.table = `"${options.schema ?? 'public'}".projection_checkpoints`;
  }

  /** Sets up tables, rebuilds first when the stored checkpoint is of another version, then follows the log. */
  async start(): Promise<Subscription> {
    await this.options.dataSource.transaction(async (tx) => {
      // Several processes may start at once; CREATE TABLE IF NOT EXISTS alone races on the catalog.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`projection-checkpoints:${this.table}`]);
      await tx.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        projection text PRIMARY KEY, version int NOT NULL, position text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
      await this.projection.setUp(tx);
      const [stored] = await tx.query(`SELECT version FROM ${this.table} WHERE projection = $1`, [this.projection.name]);
      if (stored && stored.version !== this.projection.version) await this.clear(tx);
    });
    this.subscription = this.follow(() => undefined);
    return this.subscription;
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  /**
   * Drops what the projection built and builds it again from the start of the log, reporting
   * progress after every batch; resolves once it has caught up with `until` (default: the log's
   * end when the rebuild began). Follows the log afterwards, as after `start`.
   */
  async rebuild(onProgress: (progress: RebuildProgress) => void = () => undefined, until?: GlobalPosition): Promise<RebuildProgress> {
    await this.stop();
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
      onProgress({ projection: this.projection.name, eventsApplied, position });
    });
    if (target !== undefined) await this.subscription.waitFor(target, 24 * 60 * 60 * 1000);
    return { projection: this.projection.name, eventsApplied, position };
  }

  private follow(progress: (count: number, position: GlobalPosition) => void): Subscription {
    const { name, version } = this.projection;
    return this.options.store.subscribeToAll({
      subscriptionId: `projection:${name}`,
      batchSize: this.options.batchSize ?? 500,
      onError: this.options.onError,
      // The checkpoint is written by `handle`, in the read model's transaction.
      checkpoints: {
        load: async () => (await this.options.dataSource.query(`SELECT position FROM ${this.table} WHERE projection = $1`, [name]))[0]?.position,
        save: async () => undefined,
      },
      handle: async (events) => {
        const last = events[events.length - 1]!.globalPosition;
        await this.options.dataSource.transaction(async (tx) => {
          // Rows and checkpoint commit together, so a commit lost to a server crash loses both and
          // the batch is applied again from the log: no need to wait for the WAL flush. The
          // transaction also holds its id for less time, which keeps newer appends from readers.
          await tx.query('SET LOCAL synchronous_commit = off');
          for (const event of events) await this.projection.apply(event, tx);
          await tx.query(
            `INSERT INTO ${this.table} (projection, version, position) VALUES ($1, $2, $3)
             ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = excluded.position, updated_at = now()`,
            [name, version, last],
          );
        });
        progress(events.length, last);
      },
    });
  }

  private async clear(tx: EntityManager): Promise<void> {
    await this.projection.reset(tx);
    await tx.query(`DELETE FROM ${this.table} WHERE projection = $1`, [this.projection.name]);
  }
}

import { comparePositions, type EventEnvelope, type GlobalPosition } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { failureKind } from './failure-kind.js';
import type { Projection, ProjectionTables } from './projection.js';
import { describeFailure, type EventFailure, type QuarantinedEvent, type QuarantineTable } from './quarantine.js';
import { storableEvent } from './storable-text.js';

export interface ShadowRebuildOptions {
  readonly store: EventStore;
  readonly dataSource: DataSource;
  readonly projection: Projection;
  /** The schema-qualified checkpoint table; the live runner locks its row for each batch it commits. */
  readonly checkpoints: string;
  readonly quarantine: QuarantineTable;
  readonly batchSize: number;
  /**
   * With a projection's `bulkWriter`: the events (and rows) it may hold before it writes them;
   * default 50,000. They are kept until written, to be applied page by page if the write fails.
   */
  readonly heldLimit?: number;
  readonly onProgress: (eventsApplied: number, position: GlobalPosition) => void;
}

export interface ShadowRebuildResult {
  readonly eventsApplied: number;
  readonly position: GlobalPosition | undefined;
  /** Events the rebuild could not apply: quarantined with the swap, their rows marked incomplete. */
  readonly quarantined: readonly QuarantinedEvent[];
}

/** Catch-up rounds before the swap: each takes what was appended during the one before. */
const maxRounds = 5;

/** A schema of its own per projection and schema, within PostgreSQL's 63-byte identifiers. */
export function shadowSchemaName(tables: ProjectionTables, projection: string): string {
  const digest = createHash('sha256').update(`${tables.schema}\0${projection}`).digest('hex').slice(0, 12);
  return `${tables.schema.slice(0, 40)}_rebuild_${digest}`;
}

/**
 * Builds the projection from the start of the log into same-named tables of a shadow schema while
 * the live runner keeps the current tables up to date, then swaps them in one transaction:
 *
 * 1. The shadow's `setUp` makes its tables as the projection makes its own (indexes, row-level
 *    security policy, grants to the application role), so the swapped-in tables carry them all.
 * 2. The log is applied in batches, one transaction each, until the log's end as read. A
 *    projection with a `bulkWriter` folds the batches in memory instead and writes its rows once
 *    it holds `heldLimit` of them, and once more at the end.
 * 3. Under the live checkpoint's row lock (the live runner waits at its next batch), the shadow
 *    catches up to the live checkpoint, the old tables are dropped and the shadow's moved into
 *    the projection's schema (`ALTER TABLE … SET SCHEMA` keeps indexes, policies and grants),
 *    with the checkpoint and the quarantine, in the same transaction.
 *
 * A reader's query resolves the table name when it gets its lock: before the commit it reads the
 * old table, after it the new one, never a half-built model. Only `apply` and `markIncomplete`
 * run: nothing with a side effect beyond the shadow's tables.
 */
export async function rebuildInShadow(options: ShadowRebuildOptions): Promise<ShadowRebuildResult> {
  const { projection, dataSource } = options;
  const { readModelTables: tables, inSchema } = projection;
  if (!tables || !inSchema) throw new Error(`projection ${projection.name} names no tables to rebuild into (readModelTables, inSchema)`);
  const shadowSchema = shadowSchemaName(tables, projection.name);
  const shadow = inSchema.call(projection, shadowSchema);
  const schemaSql = pg.escapeIdentifier(shadowSchema);
  const refused: { event: EventEnvelope; failure: EventFailure }[] = [];
  let position: GlobalPosition | undefined;
  let eventsApplied = 0;
  const progressed = (events: readonly EventEnvelope[]) => {
    eventsApplied += events.length;
    position = events[events.length - 1]!.globalPosition;
    options.onProgress(eventsApplied, position);
  };
  const intoShadow = async (events: readonly EventEnvelope[], tx?: EntityManager) => {
    await applyToShadow(dataSource, shadow, events, refused, tx);
    progressed(events);
  };

  // A projection with a bulk writer folds page after page in memory and writes each row once; the
  // events since its last write are kept, to be applied page by page if the write fails on their data.
  const bulk = shadow.bulkWriter?.();
  const heldLimit = options.heldLimit ?? 50_000;
  let held: EventEnvelope[] = [];
  const pageByPage = async () => {
    const events = held;
    held = [];
    bulk!.discard(events);
    for (let start = 0; start < events.length; start += options.batchSize) {
      await applyToShadow(dataSource, shadow, events.slice(start, start + options.batchSize), refused);
    }
  };
  const orPageByPage = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (failureKind(error) === 'infrastructure') throw new Error(`rebuilding ${shadow.name} failed: ${describeFailure(error)}`, { cause: error });
      await pageByPage();
    }
  };
  const flushBulk = async () => {
    if (!bulk || held.length === 0) return;
    await orPageByPage(async () => {
      await dataSource.transaction(async (tx) => {
        await tx.query('SET LOCAL synchronous_commit = off');
        await bulk.flush(tx);
      });
      held = [];
    });
  };
  const fold = async (events: readonly EventEnvelope[]) => {
    if (!bulk) return intoShadow(events);
    const storable = events.map(storableEvent);
    for (const event of storable) held.push(event);
    await orPageByPage(() => bulk.add(storable, dataSource.manager));
    progressed(events);
    if (held.length >= heldLimit || bulk.heldRows >= heldLimit) await flushBulk();
  };

  await dataSource.query(`DROP SCHEMA IF EXISTS ${schemaSql} CASCADE`);
  await dataSource.query(`CREATE SCHEMA ${schemaSql}`);
  try {
    await dataSource.transaction((tx) => shadow.setUp(tx));
    // Rounds up to the log's end as each round begins, so traffic during the rebuild cannot keep it
    // from ending; once a round is short, what is left is taken under the lock (step 3).
    for (let round = 0; round < maxRounds; round++) {
      const end = await options.store.lastPosition();
      const before = eventsApplied;
      // The next page is read while this one is applied: reading the log and writing the model
      // use other connections, so the rebuild takes about the longer of the two, not their sum.
      const read = (after: GlobalPosition | undefined) => options.store.readAll({ ...(after === undefined ? {} : { after }), maxCount: options.batchSize });
      let next = end === undefined || (position !== undefined && comparePositions(position, end) >= 0) ? undefined : read(position);
      while (next) {
        const events = await next;
        const last = events.at(-1)?.globalPosition;
        next = events.length === options.batchSize && last !== undefined && comparePositions(last, end!) < 0 ? read(last) : undefined;
        try {
          if (events.length > 0) await fold(events);
        } catch (error) {
          await next?.catch(() => undefined);
          throw error;
        }
      }
      if (eventsApplied - before <= options.batchSize) break;
    }
    await flushBulk();
    await dataSource.transaction(async (tx) => {
      const [row] = (await tx.query(`SELECT position FROM ${options.checkpoints} WHERE projection = $1 FOR UPDATE`, [projection.name])) as { position: string }[];
      const live = row?.position;
      // The live runner committed up to `live`: the shadow takes what it has not read yet up to there.
      while (live !== undefined && (position === undefined || comparePositions(position, live) < 0)) {
        const page = await options.store.readAll({ ...(position === undefined ? {} : { after: position }), maxCount: options.batchSize });
        const upToLive = page.filter((event) => comparePositions(event.globalPosition, live) <= 0);
        if (upToLive.length === 0) break;
        await intoShadow(upToLive, tx);
      }
      for (const name of tables.names) {
        const table = pg.escapeIdentifier(name);
        await tx.query(`DROP TABLE IF EXISTS ${pg.escapeIdentifier(tables.schema)}.${table}`);
        await tx.query(`ALTER TABLE ${schemaSql}.${table} SET SCHEMA ${pg.escapeIdentifier(tables.schema)}`);
      }
      const checkpoint = live === undefined || (position !== undefined && comparePositions(position, live) > 0) ? position : live;
      if (checkpoint !== undefined) {
        await tx.query(
          `INSERT INTO ${options.checkpoints} (projection, version, position) VALUES ($1, $2, $3)
           ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = excluded.position, updated_at = now()`,
          [projection.name, projection.version, checkpoint],
        );
      }
      await options.quarantine.clear(tx, projection.name);
    });
    const quarantined: QuarantinedEvent[] = [];
    if (refused.length > 0) {
      await dataSource.transaction(async (tx) => {
        for (const { event, failure } of refused) quarantined.push(await options.quarantine.record(tx, projection.name, event, failure));
      });
    }
    return { eventsApplied, position, quarantined };
  } finally {
    await dataSource.query(`DROP SCHEMA IF EXISTS ${schemaSql} CASCADE`);
  }
}

/** A page as the projection takes it: in one `applyBatch` if it has one, else event by event. */
export async function applyPage(projection: Projection, events: readonly EventEnvelope[], tx: EntityManager): Promise<void> {
  const storable = events.map(storableEvent);
  if (projection.applyBatch) {
    if (storable.length > 0) await projection.applyBatch(storable, tx);
    return;
  }
  for (const event of storable) await projection.apply(event, tx);
}

/**
 * One page into the shadow, in one transaction (the caller's, at the swap). A page that fails on
 * an event's data is applied again event by event under savepoints: a rebuild reads the log as
 * written, so an event refused once is refused again; it is recorded (quarantined at the swap)
 * and its row marked incomplete, and the rebuild goes on.
 */
async function applyToShadow(dataSource: DataSource, shadow: Projection, events: readonly EventEnvelope[], refused: { event: EventEnvelope; failure: EventFailure }[], outer?: EntityManager): Promise<void> {
  const inTransaction = (work: (tx: EntityManager) => Promise<void>) => (outer ? work(outer) : dataSource.transaction(work));
  try {
    await inTransaction(async (tx) => {
      if (!outer) await tx.query('SET LOCAL synchronous_commit = off');
      await tx.query('SAVEPOINT shadow_page');
      try {
        await applyPage(shadow, events, tx);
        await tx.query('RELEASE SAVEPOINT shadow_page');
      } catch (error) {
        await tx.query('ROLLBACK TO SAVEPOINT shadow_page');
        if (failureKind(error) === 'infrastructure') throw error;
        await applyOneByOne(tx, shadow, events, refused);
      }
    });
  } catch (error) {
    throw new Error(`rebuilding ${shadow.name} failed: ${describeFailure(error)}`, { cause: error });
  }
}

async function applyOneByOne(tx: EntityManager, shadow: Projection, events: readonly EventEnvelope[], refused: { event: EventEnvelope; failure: EventFailure }[]): Promise<void> {
  for (const event of events) {
    const storable = storableEvent(event);
    await tx.query('SAVEPOINT shadow_event');
    try {
      await shadow.apply(storable, tx);
      await tx.query('RELEASE SAVEPOINT shadow_event');
    } catch (error) {
      await tx.query('ROLLBACK TO SAVEPOINT shadow_event');
      if (failureKind(error) === 'infrastructure') throw error;
      const now = new Date();
      refused.push({ event, failure: { attempts: 1, firstFailedAt: now, lastFailedAt: now, reason: describeFailure(error) } });
      if (!shadow.markIncomplete) continue;
      await tx.query('SAVEPOINT shadow_event');
      try {
        await shadow.markIncomplete(storable, tx);
        await tx.query('RELEASE SAVEPOINT shadow_event');
      } catch (markError) {
        await tx.query('ROLLBACK TO SAVEPOINT shadow_event');
        if (failureKind(markError) === 'infrastructure') throw markError;
      }
    }
  }
}

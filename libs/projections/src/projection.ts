import type { EventEnvelope } from '@agent-orchestrator/contracts';
import type { EntityManager } from 'typeorm';

/**
 * A read model built from the event log. `apply` runs inside the transaction that also moves the
 * projection's checkpoint, so a crash leaves rows and checkpoint in step: the batch comes again
 * and is applied again from the same state. `apply` therefore need not be idempotent on its own.
 */
export interface Projection {
  /** Names the projection's checkpoint. */
  readonly name: string;
  /** Bump when `apply` or the tables change: a stored checkpoint of another version triggers a rebuild. */
  readonly version: number;
  /** Creates the projection's tables if missing. */
  setUp(manager: EntityManager): Promise<void>;
  /** Empties the projection's tables, for a rebuild. */
  reset(manager: EntityManager): Promise<void>;
  apply(event: EventEnvelope, manager: EntityManager): Promise<void>;
  /**
   * A page of events in log order, with the same rows as `apply` of each in turn: a projection that
   * folds a page in memory and writes its rows in a few statements is many times faster than one
   * that writes per event (a rebuild applies the whole log). A page that fails on an event's data
   * is applied again event by event with `apply`, so the failing event alone is set aside.
   */
  applyBatch?(events: readonly EventEnvelope[], manager: EntityManager): Promise<void>;
  /**
   * For a rebuild into empty tables: a writer that folds page after page in memory and writes each
   * row once, when it holds many (see `BulkWriter`). Where a page of a live runner touches a few
   * hundred rows, a rebuild's pages touch the same rows again and again at their edges, and each
   * page's reads of the rows it continues cost as much as its writes.
   */
  bulkWriter?(): BulkWriter;
  /**
   * Marks the row the event would have changed as incomplete, when the runner quarantines it (in
   * the same transaction). Must not fail on the event's data: it is the one that could not be applied.
   */
  markIncomplete?(event: EventEnvelope, manager: EntityManager): Promise<void>;
  /** Undoes one `markIncomplete` once a quarantined event was applied after all. */
  markComplete?(event: EventEnvelope, manager: EntityManager): Promise<void>;
  /**
   * The tables `setUp` makes and `apply` writes: their schema and their names in it. With
   * `inSchema`, they let a rebuild build the model into shadow tables and swap them in at once.
   */
  readonly readModelTables?: ProjectionTables;
  /**
   * The same projection over same-named tables in another schema: a rebuild sets it up there
   * (tables, indexes, row-level security, grants), applies the log into it, then moves its tables
   * into the projection's schema in place of the old ones. Only `setUp`, `apply`, `applyBatch`,
   * `bulkWriter` and `markIncomplete` are called on it: nothing with a side effect beyond its tables.
   */
  inSchema?(schema: string): Projection;
}

export interface ProjectionTables {
  readonly schema: string;
  /** Unquoted table names in `schema`. Nothing else (no view, no foreign key) may depend on them. */
  readonly names: readonly string[];
}

/**
 * Rows folded in memory across pages, for a rebuild (`Projection.bulkWriter`). The rebuild adds
 * pages in log order and flushes once `heldRows` passes its bound, and at the end. If a flush or an
 * `add` fails on an event's data, the rebuild discards what is held and applies the events since
 * the last flush page by page instead, where the failing event alone is set aside.
 */
export interface BulkWriter {
  /** Folds a page into the rows held, reading from the tables the rows that earlier flushes or pages wrote. */
  add(events: readonly EventEnvelope[], manager: EntityManager): Promise<void>;
  /** Rows held and not yet written. */
  readonly heldRows: number;
  /** Writes the rows held and lets them go. */
  flush(manager: EntityManager): Promise<void>;
  /** Lets the held rows go unwritten: `events` (those since the last flush) are written another way, so their rows are to be read from the tables from now on. */
  discard(events: readonly EventEnvelope[]): void;
}

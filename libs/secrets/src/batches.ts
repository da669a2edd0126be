import { inTransaction } from '@agent-orchestrator/postgres';
import type pg from 'pg';

const batchSize = 100;

export interface BatchWalk<Row, Cursor> {
  readonly start: Cursor;
  /** The next rows after `after`, in cursor order, locked `FOR UPDATE SKIP LOCKED` so concurrent walkers share the work. */
  readonly select: (client: pg.ClientBase, after: Cursor, limit: number) => Promise<Row[]>;
  readonly cursorOf: (row: Row) => Cursor;
  /** Deals with one row in the batch's transaction; false when the row cannot be dealt with (it is counted and passed). */
  readonly handle: (client: pg.ClientBase, row: Row) => Promise<boolean>;
  readonly progress: (handled: number, passed: number) => void;
}

/**
 * Walks every row a query selects once, in batches, each batch in a transaction of its own. The
 * cursor moves past every row whatever became of it, so a row that cannot be dealt with is
 * never picked up again and the walk always ends.
 */
export async function walkInBatches<Row, Cursor>(pool: pg.Pool, walk: BatchWalk<Row, Cursor>): Promise<{ readonly handled: number; readonly passed: number }> {
  let after = walk.start;
  let handled = 0;
  let passed = 0;
  for (;;) {
    const batch = await inTransaction(pool, async (client) => {
      const rows = await walk.select(client, after, batchSize);
      let done = 0;
      for (const row of rows) if (await walk.handle(client, row)) done += 1;
      return { last: rows.at(-1), done, passed: rows.length - done };
    });
    if (batch.last === undefined) return { handled, passed };
    after = walk.cursorOf(batch.last);
    handled += batch.done;
    passed += batch.passed;
    walk.progress(handled, passed);
  }
}

/** Runs `open`; undefined when it throws (a key that is not configured, or bytes that do not authenticate). */
export function openedOrUndefined<T>(open: () => T): T | undefined {
  try {
    return open();
  } catch {
    return undefined;
  }
}

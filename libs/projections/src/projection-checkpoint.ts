import { setTimeout as sleep } from 'node:timers/promises';
import { comparePositions, type GlobalPosition } from '@agent-orchestrator/contracts';
import pg from 'pg';
import { rowsOf, type StatusQueryable } from './projection-status.js';

/**
 * Resolves once a projection's durable checkpoint (in `schema`.projection_checkpoints, written in
 * the same transaction as its rows) is at or past `position`, whichever process applied it: how a
 * process that does not run the projection waits to read what the log said by then. Polls every
 * `intervalMs`; rejects after `timeoutMs` naming the projection and where it stood.
 */
export async function waitForProjectionCheckpoint(
  db: StatusQueryable,
  options: { readonly schema: string; readonly projection: string; readonly position: GlobalPosition; readonly timeoutMs?: number; readonly intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const sql = `SELECT position FROM ${pg.escapeIdentifier(options.schema)}.projection_checkpoints WHERE projection = $1`;
  let at: GlobalPosition | undefined;
  for (;;) {
    const [row] = rowsOf<{ position: string }>(await db.query(sql, [options.projection]));
    at = row?.position;
    if (at !== undefined && comparePositions(at, options.position) >= 0) return;
    if (Date.now() > deadline) throw new Error(`projection ${options.projection} did not reach ${options.position} within ${options.timeoutMs ?? 30_000} ms (at ${at ?? 'start'})`);
    await sleep(options.intervalMs ?? 25);
  }
}

import { approvalsTableName, deadLettersTableName } from '@agent-orchestrator/read-models';
import pg from 'pg';
import type { PlatformMetrics } from './platform-metrics.js';
import type { DeadLetterCount, PendingApprovals, SessionCount } from './scrape-gauges.js';

/** A scrape must not hold a connection long: a slow reading is cut and counted as a failed one. */
const statementTimeout = "SET LOCAL statement_timeout = '2s'";

/**
 * Runs one reading in its own short transaction with a statement timeout, in one round trip (the
 * simple query protocol takes the statements together; the query has no parameters).
 */
async function bounded<Row extends object>(pool: pg.Pool, select: string): Promise<Row[]> {
  const results = (await pool.query(`BEGIN READ ONLY; ${statementTimeout}; ${select}; COMMIT`)) as unknown as pg.QueryResult<Row>[];
  return results[2]!.rows;
}

/**
 * Sessions in a live status, counted per tenant and status. Ended sessions are left out: their
 * count only grows, the session duration histogram counts them, and the index
 * (tenant_id, status, started_at) keeps this a scan of live work only.
 */
export async function readLiveSessions(pool: pg.Pool, schema: string): Promise<SessionCount[]> {
  const rows = await bounded<{ tenant: string; status: string; count: string }>(
    pool,
    `SELECT tenant_id AS tenant, status, count(*) AS count FROM ${pg.escapeIdentifier(schema)}.sessions WHERE status NOT IN ('completed', 'failed', 'cancelled') GROUP BY tenant_id, status`,
  );
  return rows.map((row) => ({ tenant: row.tenant, status: row.status, count: Number(row.count) }));
}

/** Pending approvals per tenant and how long the oldest has waited (the partial index on pending ones serves it). */
export async function readPendingApprovals(pool: pg.Pool, schema: string): Promise<PendingApprovals[]> {
  const rows = await bounded<{ tenant: string; pending: string; age: string }>(
    pool,
    `SELECT tenant_id AS tenant, count(*) AS pending, EXTRACT(EPOCH FROM now() - min(requested_at)) AS age FROM ${approvalsTableName(schema)} WHERE status = 'pending' GROUP BY tenant_id`,
  );
  return rows.map((row) => ({ tenant: row.tenant, pending: Number(row.pending), oldestAgeSeconds: Math.max(0, Number(row.age)) }));
}

/** Dead letters (and parked calls) waiting for an operator, per consumer group (the partial index on pending ones serves it). */
export async function readPendingDeadLetters(pool: pg.Pool, schema: string): Promise<DeadLetterCount[]> {
  const rows = await bounded<{ consumer: string; pending: string }>(pool, `SELECT consumer, count(*) AS pending FROM ${deadLettersTableName(schema)} WHERE status = 'pending' GROUP BY consumer`);
  return rows.map((row) => ({ consumer: row.consumer, pending: Number(row.pending) }));
}

/**
 * Registers the read-model gauges a service's process answers for: the orchestrator hosts the
 * sessions and approvals projections, replay indexes the dead letters. `pool` may read every
 * tenant's rows (the migration role). Returns the function that removes the readers.
 */
export function watchReadModels(metrics: PlatformMetrics, pool: pg.Pool, schema: string, sources: { readonly sessions?: boolean; readonly approvals?: boolean; readonly deadLetters?: boolean }): () => void {
  const unwatch = [
    sources.sessions ? metrics.watch('sessions', () => readLiveSessions(pool, schema)) : undefined,
    sources.approvals ? metrics.watch('approvals', () => readPendingApprovals(pool, schema)) : undefined,
    sources.deadLetters ? metrics.watch('deadLetters', () => readPendingDeadLetters(pool, schema)) : undefined,
  ];
  return () => {
    for (const stop of unwatch) stop?.();
  };
}

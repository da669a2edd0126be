import { sqlState } from '@agent-orchestrator/postgres';

/**
 * Why applying an event failed, which decides what the runner does next:
 * - `event`: the event itself cannot be applied (PostgreSQL refused its data, the projection
 *   refused it). Retrying the same event gives the same answer, so after a bounded retry window it
 *   is quarantined and the projection moves on.
 * - `infrastructure`: the database or the network failed. The next attempt may succeed, so it is
 *   retried for as long as it takes and never quarantined: an outage must not empty a read model.
 * An error this cannot place counts as infrastructure, the side that loses nothing.
 */
export type FailureKind = 'event' | 'infrastructure';

/**
 * SQLSTATE classes about the data a statement was given: 22 data exception (a NUL in text is
 * 22021, a bad number 22003), 23 integrity constraint, 2F/P0 raised by a function on the data.
 * Everything else (08 connection, 40 rollback, 53 resources, 57 operator intervention, 58 system,
 * 42 a missing table or column, which is a deployment fault) is retried.
 */
const eventSqlStateClasses: ReadonlySet<string> = new Set(['22', '23', '2F', 'P0']);

/** Errors a projection's own code throws on data it cannot handle; they recur on every attempt. */
const eventErrorNames: ReadonlySet<string> = new Set(['ZodError', '$ZodError', 'TypeError', 'RangeError', 'SyntaxError']);

/** Throw from a projection's `apply` to refuse an event: it is retried, then quarantined. */
export class ProjectionEventError extends Error {
  override readonly name = 'ProjectionEventError';
  readonly code = 'ProjectionEventRejected';
}

export function failureKind(error: unknown): FailureKind {
  if (typeof error !== 'object' || error === null) return 'infrastructure';
  if ((error as { code?: unknown }).code === 'ProjectionEventRejected') return 'event';
  const state = sqlState(error);
  if (state !== undefined) return eventSqlStateClasses.has(state.slice(0, 2)) ? 'event' : 'infrastructure';
  // Node's socket errors (ECONNREFUSED, ECONNRESET) carry a code but no SQLSTATE: infrastructure.
  if (typeof (error as { code?: unknown }).code === 'string') return 'infrastructure';
  return eventErrorNames.has((error as { name?: unknown }).name as string) ? 'event' : 'infrastructure';
}

import type { EventStore } from '@agent-orchestrator/event-store';
import pg from 'pg';
import type { ExecutionContext, ItemResult, ItemSource, OperationFilter, OperationItem, OperationKind, OperationScope } from '../operations/item-source.js';
import { releaseDeciders, type Deciders } from './deciders.js';
import { differingFields, type ReplayDifference } from './difference.js';
import { replaySession, type SessionReplayReport } from './session-replayer.js';

export interface SessionSourceOptions {
  readonly store: EventStore;
  /** A pool that reads every tenant's rows of the sessions read model; each query names its tenant scope itself. */
  readonly pool: pg.Pool;
  readonly readModelSchema: string;
  readonly deciders?: Deciders;
}

/** The most sessions one operation replays: a bigger query is narrowed by status or time first. */
export const maxReplayedSessions = 10_000;
/** The detail of an item outcome holds at most 8,000 characters of JSON; each side of a difference gets this much. */
const sideBudget = 3000;

/**
 * Sessions, for the `replay-sessions` operation: the filter selects them from the sessions read
 * model (ids, status, started since/until, the tenant in scope), and executing one replays it
 * from the log with this release's deciders. A replay only reads, so it never repeats a side
 * effect and can run again at will: it succeeds when every decision comes out as recorded and
 * fails with the first difference otherwise.
 */
export class SessionReplaySource implements ItemSource {
  readonly source = 'session' as const;
  readonly kinds = ['replay-sessions'] as const satisfies readonly OperationKind[];

  constructor(private readonly options: SessionSourceOptions) {}

  async match(kind: OperationKind, filter: OperationFilter, scope: OperationScope): Promise<readonly OperationItem[]> {
    if (kind !== 'replay-sessions') return [];
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (clause: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      where.push(clause(`$${values.length}`));
    };
    const tenant = scope.kind === 'tenant' ? scope.tenantId : filter.tenant;
    if (tenant !== undefined) add((p) => `tenant_id = ${p}`, tenant);
    if (filter.ids !== undefined) add((p) => `session_id = ANY(${p})`, [...filter.ids]);
    if (filter.status !== undefined) add((p) => `status = ${p}`, filter.status);
    if (filter.since !== undefined) add((p) => `started_at >= ${p}`, filter.since);
    if (filter.until !== undefined) add((p) => `started_at < ${p}`, filter.until);
    const table = `${pg.escapeIdentifier(this.options.readModelSchema)}.sessions`;
    const { rows } = await this.options.pool.query<{ session_id: string; tenant_id: string; status: string; started_at: Date }>(
      `SELECT session_id, tenant_id, status, started_at FROM ${table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at, session_id LIMIT ${maxReplayedSessions}`,
      values,
    );
    return rows.map((row) => ({
      itemId: row.session_id,
      source: this.source,
      tenantId: row.tenant_id,
      sessionId: row.session_id,
      repeatsSideEffect: false,
      label: `session ${row.session_id} (${row.status}, started ${row.started_at.toISOString()})`,
    }));
  }

  async execute(_kind: OperationKind, item: OperationItem, context: ExecutionContext): Promise<ItemResult> {
    if (context.scope.kind === 'tenant' && item.tenantId !== context.scope.tenantId) return { outcome: 'skipped', detail: 'the session belongs to another tenant' };
    return replayOutcome(await replaySession(this.options.store, item.itemId, this.options.deciders ?? releaseDeciders));
  }
}

/** A replay as an item's outcome: succeeded when identical; failed with the first difference, small enough for the item's event. */
export function replayOutcome(report: SessionReplayReport): ItemResult {
  if (report.identical) {
    const { decisions, streams, responsesServed, toolAnswersServed } = report;
    return { outcome: 'succeeded', detail: { identical: true, decisions, streams, responsesServed, toolAnswersServed } };
  }
  return { outcome: 'failed', detail: { identical: false, ...compactDifference(report.difference!) } };
}

/** The difference with each side cut to the fields that differ, and those clipped: the whole events are in the log. */
export function compactDifference(difference: ReplayDifference): Record<string, unknown> {
  const { streamId, version, eventType, reason, recorded, replayed } = difference;
  const fields = recorded && replayed ? differingFields(recorded, replayed) : undefined;
  const side = (event: typeof recorded) => {
    if (!event) return null;
    const shown = fields ? Object.fromEntries(fields.map((field) => [field, (event as unknown as Record<string, unknown>)[field]])) : event;
    const json = JSON.stringify(shown);
    return json.length <= sideBudget ? shown : `${json.slice(0, sideBudget - 1)}…`;
  };
  return { streamId, version, eventType, reason: reason.slice(0, 500), recorded: side(recorded), replayed: side(replayed) };
}

import { operationItemsPerChunk, parseStreamName, streamCategories, type EventEnvelope, type OperationEvent } from '@agent-orchestrator/contracts';
import { isolateByTenant, type Queryable } from '@agent-orchestrator/postgres';
import type { Projection } from '@agent-orchestrator/projections';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { readOnlyFor } from '../tenant-scope.js';

export const operationsTables = (schema: string) => ({ operations: `${pg.escapeIdentifier(schema)}.operations`, items: `${pg.escapeIdentifier(schema)}.operation_items` });

/**
 * Creates the operations tables if missing, under row-level security, readable by `appRole`.
 * Idempotent and safe beside another process doing the same: the projection runs it, and so does
 * the gateway, which reads the tables and may start first.
 */
export async function migrateOperationsTables(manager: Queryable, schema: string, appRole?: string): Promise<void> {
  const { operations, items } = operationsTables(schema);
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`read-model:${schema}.operations`]);
  await manager.query(`CREATE TABLE IF NOT EXISTS ${operations} (
    operation_id uuid PRIMARY KEY,
    tenant_id text,
    kind text NOT NULL,
    filter jsonb NOT NULL,
    scope jsonb NOT NULL,
    status text NOT NULL,
    reason text,
    refusal text,
    abort_reason text,
    rate double precision NOT NULL DEFAULT 0,
    total int NOT NULL DEFAULT 0,
    repeats_side_effect int NOT NULL DEFAULT 0,
    counts jsonb NOT NULL DEFAULT '{"byConsumer":{},"byCode":{},"byTool":{},"byTenant":{}}',
    done int NOT NULL DEFAULT 0,
    succeeded int NOT NULL DEFAULT 0,
    failed int NOT NULL DEFAULT 0,
    skipped int NOT NULL DEFAULT 0,
    requested_by jsonb NOT NULL,
    requested_at timestamptz NOT NULL,
    started_at timestamptz,
    ended_at timestamptz,
    running_since timestamptz,
    done_at_running_since int NOT NULL DEFAULT 0,
    last_item_at timestamptz,
    last_stream_version int NOT NULL)`);
  await manager.query(`CREATE INDEX IF NOT EXISTS operations_tenant_requested ON ${operations} (tenant_id, requested_at DESC, operation_id DESC)`);
  await manager.query(`CREATE INDEX IF NOT EXISTS operations_running ON ${operations} (status) WHERE status = 'running'`);
  await manager.query(`CREATE TABLE IF NOT EXISTS ${items} (
    operation_id uuid NOT NULL,
    position int NOT NULL,
    tenant_id text,
    item_id text NOT NULL,
    item jsonb NOT NULL,
    outcome text,
    detail jsonb,
    executed_at timestamptz,
    PRIMARY KEY (operation_id, position))`);
  await manager.query(`CREATE UNIQUE INDEX IF NOT EXISTS operation_items_item ON ${items} (operation_id, item_id)`);
  for (const table of [operations, items]) await isolateByTenant(manager, table, readOnlyFor(appRole));
}


/**
 * The operations read model: one row per `operation-<id>` stream (its plan, status, counts and
 * progress) and one per planned item (with its outcome once it has one). Kept by the replay
 * service from its own streams' events. Rows carry the tenant of the operation's scope; a
 * platform operation's rows have tenant NULL, which no tenant's policy matches: only the platform
 * admin, reading as the owner, sees them. Each operation row remembers the stream version it
 * reflects, so a replayed event changes nothing.
 */
export class OperationsProjection implements Projection {
  readonly name = 'operations';
  readonly version = 1;
  private readonly tables: ReturnType<typeof operationsTables>;

  /** @param appRole the role the gateway reads the tables as, one tenant at a time. */
  constructor(
    private readonly schema: string,
    private readonly appRole?: string,
  ) {
    this.tables = operationsTables(schema);
  }

  async setUp(manager: EntityManager): Promise<void> {
    await migrateOperationsTables(manager, this.schema, this.appRole);
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE ${this.tables.operations}, ${this.tables.items}`);
  }

  /**
   * A page as `apply` would take it event by event, except that a run of one operation's
   * OperationItemExecuted events (an unthrottled batch is a thousand of them) is applied in two
   * statements: one for the operation's counts, one for its items' outcomes.
   */
  async applyBatch(events: readonly EventEnvelope[], manager: EntityManager): Promise<void> {
    let run: (EventEnvelope & OperationItemExecutedEvent)[] = [];
    const flush = async () => {
      if (run.length > 0) await this.applyItemOutcomes(run, manager);
      run = [];
    };
    for (const event of events) {
      if (isItemExecuted(event) && (run.length === 0 || run[0]!.streamId === event.streamId)) {
        run.push(event);
        continue;
      }
      await flush();
      if (isItemExecuted(event)) run.push(event);
      else await this.apply(event, manager);
    }
    await flush();
  }

  /** One operation's outcome events, in stream order: those past the row's version are counted and their items' outcomes set (the last one of an item wins). */
  private async applyItemOutcomes(run: readonly (EventEnvelope & OperationItemExecutedEvent)[], manager: EntityManager): Promise<void> {
    const { operations, items } = this.tables;
    const operationId = parseStreamName(run[0]!.streamId).id;
    const [row] = rowsOf(await manager.query(`SELECT last_stream_version FROM ${operations} WHERE operation_id = $1 FOR UPDATE`, [operationId])) as { last_stream_version: number }[];
    if (row === undefined) return;
    const fresh = run.filter((event) => event.streamVersion > row.last_stream_version);
    const last = fresh.at(-1);
    if (last === undefined) return;
    const count = (outcome: string) => fresh.filter((event) => event.data.outcome === outcome).length;
    await manager.query(
      `UPDATE ${operations} SET done = done + $3, succeeded = succeeded + $4, failed = failed + $5, skipped = skipped + $6, last_item_at = $7, last_stream_version = $2 WHERE operation_id = $1`,
      [operationId, last.streamVersion, fresh.length, count('succeeded'), count('failed'), count('skipped'), last.occurredAt],
    );
    const byItem = new Map(fresh.map((event) => [event.data.itemId, event]));
    const outcomes = [...byItem.values()];
    await manager.query(
      `UPDATE ${items} AS item SET outcome = o.outcome, detail = o.detail, executed_at = o.at
         FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::timestamptz[]) AS o (item_id, outcome, detail, at)
        WHERE item.operation_id = $1 AND item.item_id = o.item_id`,
      [
        operationId,
        outcomes.map((event) => event.data.itemId),
        outcomes.map((event) => event.data.outcome),
        outcomes.map((event) => (event.data.detail === undefined ? null : JSON.stringify(event.data.detail))),
        outcomes.map((event) => event.occurredAt),
      ],
    );
  }

  async apply(envelope: EventEnvelope, manager: EntityManager): Promise<void> {
    const { category, id: operationId } = parseStreamName(envelope.streamId);
    if (category !== streamCategories.operation) return;
    const { operations, items } = this.tables;
    const event = envelope as EventEnvelope & OperationEvent;
    const at = envelope.occurredAt;
    const version = envelope.streamVersion;
    const update = (assignments: string, values: unknown[] = []) =>
      manager.query(`UPDATE ${operations} SET ${assignments}, last_stream_version = $2 WHERE operation_id = $1 AND last_stream_version < $2 RETURNING tenant_id`, [operationId, version, ...values]);
    switch (event.type) {
      case 'OperationPlanned':
      case 'OperationPlanRefused': {
        const d = event.data;
        const tenantId = d.scope.kind === 'tenant' ? d.scope.tenantId : null;
        const planned = event.type === 'OperationPlanned' ? event.data : undefined;
        await manager.query(
          `INSERT INTO ${operations} (operation_id, tenant_id, kind, filter, scope, status, reason, refusal, rate, total, repeats_side_effect, counts, requested_by, requested_at, ended_at, last_stream_version)
           VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9, $10, $11, COALESCE($12::jsonb, '{"byConsumer":{},"byCode":{},"byTool":{},"byTenant":{}}'), $13::jsonb, $14, $15, $16)
           ON CONFLICT (operation_id) DO NOTHING`,
          [
            operationId,
            tenantId,
            d.kind,
            JSON.stringify(d.filter),
            JSON.stringify(d.scope),
            planned ? 'planned' : 'failed',
            planned?.reason ?? null,
            event.type === 'OperationPlanRefused' ? event.data.reason : null,
            planned?.rate ?? 0,
            planned?.total ?? 0,
            planned?.repeatsSideEffect ?? 0,
            planned ? JSON.stringify(planned.counts) : null,
            JSON.stringify(envelope.actor),
            at,
            planned ? null : at,
            version,
          ],
        );
        return;
      }
      case 'OperationItemsMatched': {
        const { chunk, items: matched } = event.data;
        const positions = matched.map((_, i) => chunk * operationItemsPerChunk + i);
        // The chunk's rows in one statement: a plan of 20,000 items is 80 of these, not 20,000.
        await manager.query(
          `INSERT INTO ${items} (operation_id, position, tenant_id, item_id, item)
           SELECT $1, p.position, o.tenant_id, p.item->>'itemId', p.item
             FROM ${operations} o, unnest($2::int[], $3::jsonb[]) AS p(position, item)
            WHERE o.operation_id = $1
           ON CONFLICT DO NOTHING`,
          [operationId, positions, matched.map((item) => JSON.stringify(item))],
        );
        await update('status = status');
        return;
      }
      case 'OperationStarted':
        await update(`status = 'running', started_at = $3, running_since = $3, done_at_running_since = done`, [at]);
        return;
      case 'OperationResumed':
        await update(`status = 'running', running_since = $3, done_at_running_since = done`, [at]);
        return;
      case 'OperationPaused':
        await update(`status = 'paused', running_since = NULL`);
        return;
      case 'OperationAborted':
        await update(`status = 'aborted', ended_at = $3, abort_reason = $4, running_since = NULL`, [at, event.data.reason ?? null]);
        return;
      case 'OperationCompleted':
        await update(`status = CASE WHEN status = 'aborted' THEN status ELSE 'completed' END, ended_at = COALESCE(ended_at, $3), running_since = NULL`, [at]);
        return;
      case 'OperationItemExecuted': {
        const { itemId, outcome, detail } = event.data;
        const moved = rowsOf(await update(`done = done + 1, ${outcome} = ${outcome} + 1, last_item_at = $3`, [at]));
        // Already applied when the operation row did not move (a replayed event).
        if (moved.length === 0) return;
        await manager.query(`UPDATE ${items} SET outcome = $3, detail = $4::jsonb, executed_at = $5 WHERE operation_id = $1 AND item_id = $2`, [operationId, itemId, outcome, detail === undefined ? null : JSON.stringify(detail), at]);
        return;
      }
      default: {
        const unknown: never = event;
        throw new Error(`the operations read model knows no ${(unknown as { type: string }).type}`);
      }
    }
  }
}

/** The rows of an UPDATE … RETURNING: TypeORM answers [rows, count], pg answers { rows }. */
function rowsOf(result: unknown): unknown[] {
  if (Array.isArray(result)) return Array.isArray(result[0]) ? (result[0] as unknown[]) : result;
  return (result as { rows?: unknown[] }).rows ?? [];
}

type OperationItemExecutedEvent = Extract<OperationEvent, { type: 'OperationItemExecuted' }>;

function isItemExecuted(event: EventEnvelope): event is EventEnvelope & OperationItemExecutedEvent {
  return event.type === 'OperationItemExecuted' && parseStreamName(event.streamId).category === streamCategories.operation;
}

import { parseStreamName, streamCategories, type EventEnvelope } from '@agent-orchestrator/contracts';
import { isolateByTenant } from '@agent-orchestrator/postgres';
import type { Projection, ProjectionTables } from '@agent-orchestrator/projections';
import pg from 'pg';
import { EntitySchema, type DataSource, type EntityManager, type ValueTransformer } from 'typeorm';
import { inTenantScope, readOnlyFor } from '../tenant-scope.js';

/** One model response a session paid for: which run, which turn, which model, what it cost. */
export interface ModelCallRecord {
  readonly eventId: string;
  readonly tenantId: string;
  readonly sessionId: string;
  /** The run's id: `<session>.plan.<n>`, `<session>.step.<step>.<n>` or `<session>.review.<n>`. */
  readonly runId: string;
  readonly turn: number;
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly respondedAt: Date;
  readonly globalPosition: string;
}

/** pg returns bigint and numeric as strings; token counts and micro-dollar costs fit a double. */
const asNumber: ValueTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

export function modelCallsTable(schema: string): EntitySchema<ModelCallRecord> {
  return new EntitySchema<ModelCallRecord>({
    name: 'ModelCallReadModel',
    tableName: 'model_calls',
    schema,
    columns: {
      eventId: { name: 'event_id', type: 'uuid', primary: true },
      tenantId: { name: 'tenant_id', type: 'text' },
      sessionId: { name: 'session_id', type: 'text' },
      runId: { name: 'run_id', type: 'text' },
      turn: { type: 'int' },
      model: { type: 'text' },
      inputTokens: { name: 'input_tokens', type: 'bigint', transformer: asNumber },
      outputTokens: { name: 'output_tokens', type: 'bigint', transformer: asNumber },
      costUsd: { name: 'cost_usd', type: 'numeric', precision: 20, scale: 6, transformer: asNumber },
      respondedAt: { name: 'responded_at', type: 'timestamptz' },
      globalPosition: { name: 'global_position', type: 'text' },
    },
    indices: [{ name: 'model_calls_tenant_session', columns: ['tenantId', 'sessionId', 'globalPosition'] }],
  });
}

/**
 * The model calls read model: one row per ModelResponded of any agent run, for cost and usage
 * questions by session, run and model. Rows are keyed by event id, so a replayed event is a no-op.
 */
export class ModelCallsProjection implements Projection {
  readonly name = 'model-calls';
  readonly version = 1;
  readonly readModelTables: ProjectionTables;
  private readonly table: string;

  /** @param appRole the role the gateway reads the table as, one tenant at a time; without it only the owner may read it. */
  constructor(
    private readonly schema: string,
    private readonly appRole?: string,
  ) {
    this.table = `${pg.escapeIdentifier(schema)}.model_calls`;
    this.readModelTables = { schema, names: ['model_calls'] };
  }

  inSchema(schema: string): ModelCallsProjection {
    return new ModelCallsProjection(schema, this.appRole);
  }

  async setUp(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`read-model:${this.schema}.model_calls`]);
    await manager.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      event_id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      session_id text NOT NULL,
      run_id text NOT NULL,
      turn int NOT NULL,
      model text NOT NULL,
      input_tokens bigint NOT NULL,
      output_tokens bigint NOT NULL,
      cost_usd numeric(20, 6) NOT NULL,
      responded_at timestamptz NOT NULL,
      global_position text NOT NULL)`);
    await manager.query(`CREATE INDEX IF NOT EXISTS model_calls_tenant_session ON ${this.table} (tenant_id, session_id, global_position)`);
    await isolateByTenant(manager, this.table, readOnlyFor(this.appRole));
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE ${this.table}`);
  }

  async apply(event: EventEnvelope, manager: EntityManager): Promise<void> {
    if (event.type !== 'ModelResponded') return;
    const { category, id: runId } = parseStreamName(event.streamId);
    if (category !== streamCategories.agentRun) return;
    const { sessionId, turn, model, usage } = event.data as { sessionId: string; turn: number; model: string; usage: { inputTokens: number; outputTokens: number; costUsd: number } };
    await manager.query(
      `INSERT INTO ${this.table} (event_id, tenant_id, session_id, run_id, turn, model, input_tokens, output_tokens, cost_usd, responded_at, global_position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (event_id) DO NOTHING`,
      [event.eventId, event.tenantId, sessionId, runId, turn, model, usage.inputTokens, usage.outputTokens, usage.costUsd, event.occurredAt, event.globalPosition],
    );
  }
}

/** A session's model calls in the order they were recorded, read in the caller's tenant scope. */
export class ModelCallQueries {
  constructor(
    private readonly db: DataSource,
    private readonly table: EntitySchema<ModelCallRecord>,
  ) {}

  async forSession(tenantId: string, sessionId: string): Promise<ModelCallRecord[]> {
    return inTenantScope(this.db, tenantId, (db) => db.getRepository(this.table).find({ where: { tenantId, sessionId }, order: { globalPosition: 'ASC' } }));
  }
}

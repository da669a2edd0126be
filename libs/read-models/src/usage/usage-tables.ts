import { isolateByTenant, type Queryable } from '@agent-orchestrator/postgres';
import pg from 'pg';
import { readOnlyFor } from '../tenant-scope.js';

/** The usage read model's tables, quoted, in one schema of the caller's choosing. */
export interface UsageTables {
  readonly schema: string;
  /** One row per model call (ModelResponded): tokens as recorded, cost as the price version in effect at the call priced it. */
  readonly calls: string;
  /** One row per agent run: its agent (which a model call does not name) and how it ended. */
  readonly runs: string;
  /** One row per tool call's answer (ToolCallCompleted or ToolCallFailed), for failures by tool. */
  readonly toolCalls: string;
  /** Every version of the platform's prices (no tenant's: closed to the application role). */
  readonly priceVersions: string;
}

export const usageTableNames = ['usage_calls', 'usage_runs', 'usage_tool_calls', 'usage_price_versions'] as const;

export function usageTables(schema: string): UsageTables {
  const table = (name: string) => `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(name)}`;
  return { schema, calls: table('usage_calls'), runs: table('usage_runs'), toolCalls: table('usage_tool_calls'), priceVersions: table('usage_price_versions') };
}

export function usageDdl(tables: UsageTables): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${tables.calls} (
      event_id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      session_id text NOT NULL,
      run_id text NOT NULL,
      turn int NOT NULL,
      agent text NOT NULL,
      model text NOT NULL,
      tool text,
      occurred_at timestamptz NOT NULL,
      day date NOT NULL,
      input_tokens bigint NOT NULL,
      output_tokens bigint NOT NULL,
      recorded_cost_usd numeric(24, 9) NOT NULL,
      cost_usd numeric(24, 9) NOT NULL,
      price_version int,
      global_position text NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS usage_calls_tenant_time ON ${tables.calls} (tenant_id, occurred_at)`,
    `CREATE INDEX IF NOT EXISTS usage_calls_run ON ${tables.calls} (run_id, turn)`,
    `CREATE INDEX IF NOT EXISTS usage_calls_time ON ${tables.calls} (occurred_at)`,
    `CREATE TABLE IF NOT EXISTS ${tables.runs} (
      run_id text PRIMARY KEY,
      tenant_id text NOT NULL,
      session_id text NOT NULL,
      agent text NOT NULL,
      status text NOT NULL,
      started_at timestamptz NOT NULL,
      ended_at timestamptz)`,
    `CREATE INDEX IF NOT EXISTS usage_runs_tenant_time ON ${tables.runs} (tenant_id, started_at)`,
    `CREATE TABLE IF NOT EXISTS ${tables.toolCalls} (
      event_id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      session_id text NOT NULL,
      run_id text NOT NULL,
      tool text NOT NULL,
      outcome text NOT NULL,
      occurred_at timestamptz NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS usage_tool_calls_tenant_time ON ${tables.toolCalls} (tenant_id, occurred_at)`,
    `CREATE TABLE IF NOT EXISTS ${tables.priceVersions} (
      version int PRIMARY KEY,
      effective_from timestamptz NOT NULL,
      prices jsonb NOT NULL,
      source text NOT NULL,
      set_at timestamptz NOT NULL)`,
  ];
}

/**
 * Creates the tables if missing, with row-level security on the tenant ones, inside the caller's
 * transaction. The projection sets them up; the gateway too (idempotent, safe beside it), so its
 * reads never find them missing.
 */
export async function migrateUsageTables(db: Queryable, schema: string, appRole?: string): Promise<void> {
  const tables = usageTables(schema);
  // Two processes creating the same table at once can both pass IF NOT EXISTS and then collide on the catalog.
  await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`read-model:${schema}.usage`]);
  for (const statement of usageDdl(tables)) await db.query(statement);
  for (const table of [tables.calls, tables.runs, tables.toolCalls]) await isolateByTenant(db, table, readOnlyFor(appRole));
}

import { withTenant } from '@agent-orchestrator/postgres';
import type pg from 'pg';
import { usageTables, type UsageTables } from './usage-tables.js';

/** What usage is summed by. `tool` is the tool the model turn asked for (null: it asked for none). */
export const usageGroupings = ['tenant', 'agent', 'model', 'tool', 'day', 'session'] as const;
export type UsageGrouping = (typeof usageGroupings)[number];

/** Who reads: one tenant's rows (in its tenant scope, under row-level security), or every tenant's (the platform admin). */
export type UsageScope = { readonly kind: 'tenant'; readonly tenantId: string } | { readonly kind: 'platform'; readonly tenantId?: string };

export interface UsageTotals {
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

export interface UsageRow extends UsageTotals {
  /** The group's value: a tenant, agent, model, tool, UTC day (YYYY-MM-DD) or session; null for calls that asked for no tool. */
  readonly key: string | null;
}

export interface UsageReport {
  readonly rows: readonly UsageRow[];
  readonly totals: UsageTotals;
  /** More groups matched than `limit`: the costliest are listed, the totals count them all. */
  readonly truncated: boolean;
}

const groupColumn: Readonly<Record<UsageGrouping, string>> = {
  tenant: 'tenant_id',
  agent: 'agent',
  model: 'model',
  tool: 'tool',
  day: `to_char(day, 'YYYY-MM-DD')`,
  session: 'session_id',
};

interface SumsRow {
  key: string | null;
  calls: string;
  input_tokens: string;
  output_tokens: string;
  cost_usd: string;
}
const totalsOf = (row: SumsRow | undefined): UsageTotals => ({
  calls: Number(row?.calls ?? 0),
  inputTokens: Number(row?.input_tokens ?? 0),
  outputTokens: Number(row?.output_tokens ?? 0),
  costUsd: Number(row?.cost_usd ?? 0),
});
const sums = `count(*) AS calls, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd`;

/** A statement's parameters, numbered as they are added. */
export class SqlValues {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Reads of the usage read model. A tenant's run as the application role in its tenant scope, so
 * row-level security holds whatever the query says; the platform admin's on the owner's pool.
 */
export class UsageQueries {
  readonly tables: UsageTables;

  constructor(
    private readonly database: { readonly pool: pg.Pool; readonly tenantPool: pg.Pool },
    readonly schema: string,
  ) {
    this.tables = usageTables(schema);
  }

  /** Calls made in [from, to), summed by `groupBy`, costliest first. */
  async usage(scope: UsageScope, query: { readonly from: Date; readonly to: Date; readonly groupBy: UsageGrouping; readonly limit: number }): Promise<UsageReport> {
    const params = new SqlValues();
    const where = this.where(scope, params, 'occurred_at', query.from, query.to);
    const key = groupColumn[query.groupBy];
    // One statement, so the rows and the totals are of one snapshot even while a price version reprices calls.
    const { rows } = await this.read(scope, (db) =>
      db.query<SumsRow & { total: boolean; groups: string }>(
        `WITH groups AS (SELECT ${key} AS key, ${sums} FROM ${this.tables.calls} WHERE ${where} GROUP BY 1)
         SELECT false AS total, 0 AS groups, * FROM (SELECT * FROM groups ORDER BY cost_usd DESC, calls DESC, key LIMIT ${params.add(query.limit)}) AS listed
         UNION ALL
         SELECT true, count(*), NULL, coalesce(sum(calls), 0), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(cost_usd), 0) FROM groups`,
        params.values,
      ),
    );
    const total = rows.find((row) => row.total);
    return {
      rows: rows.filter((row) => !row.total).map((row) => ({ key: row.key, ...totalsOf(row) })),
      totals: totalsOf(total),
      truncated: Number(total?.groups ?? 0) > query.limit,
    };
  }

  /** The scope's condition (and the time range on `column`), with its parameters added to `params`. */
  where(scope: UsageScope, params: SqlValues, column: string, from?: Date, to?: Date): string {
    const conditions = ['true'];
    if (scope.tenantId !== undefined) conditions.push(`tenant_id = ${params.add(scope.tenantId)}`);
    if (from) conditions.push(`${column} >= ${params.add(from)}`);
    if (to) conditions.push(`${column} < ${params.add(to)}`);
    return conditions.join(' AND ');
  }

  /** Runs `work` on a connection that sees the scope's rows: the tenant's scope, or the owner's pool for the platform. */
  async read<T>(scope: UsageScope, work: (db: pg.ClientBase | pg.Pool) => Promise<T>): Promise<T> {
    if (scope.kind === 'platform') return work(this.database.pool);
    return withTenant(this.database.tenantPool, scope.tenantId, (client) => work(client));
  }
}

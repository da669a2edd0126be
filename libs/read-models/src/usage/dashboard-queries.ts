import type pg from 'pg';
import { approvalsTableName } from '../approvals/approvals.js';
import { deadLettersTableName } from '../dead-letters/dead-letters.js';
import { sessionsTables, sqlTableNames } from '../sessions/sessions-tables.js';
import { SqlValues, type UsageQueries, type UsageScope } from './usage-queries.js';

export interface Dashboard {
  /** Sessions started each UTC day of the window, by their status now. */
  readonly sessionsByStatus: readonly { readonly day: string; readonly status: string; readonly count: number }[];
  /** Steps completed in the window: from scheduled to completed (their latest attempt). */
  readonly stepLatency: { readonly steps: number; readonly p50Seconds: number | null; readonly p95Seconds: number | null };
  readonly approvals: { readonly pending: number; readonly oldestPendingSeconds: number | null };
  /** Dead letters and parked calls waiting for an operator. */
  readonly deadLetters: { readonly pending: number };
  readonly cost: { readonly todayUsd: number; readonly monthUsd: number };
  readonly topAgents: { readonly byCost: readonly RankedByCost[]; readonly byFailures: readonly RankedByFailures[] };
  readonly topTools: { readonly byCost: readonly RankedByCost[]; readonly byFailures: readonly RankedByFailures[] };
}
export interface RankedByCost {
  readonly name: string;
  readonly costUsd: number;
  readonly calls: number;
}
export interface RankedByFailures {
  readonly name: string;
  readonly failures: number;
}

const utcDay = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
const utcMonth = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
const top = 5;

/**
 * The dashboard: one read over the sessions, approvals, dead-letter and usage read models, in the
 * same scope as usage (a tenant's rows under row-level security, or every tenant's for the
 * platform admin). `now` and the window's length are the caller's, so the answer is reproducible.
 */
export class DashboardQueries {
  private readonly sessions: string;
  private readonly steps: string;
  private readonly approvals: string;
  private readonly deadLetters: string;

  constructor(private readonly usage: UsageQueries) {
    const names = sqlTableNames(sessionsTables(usage.schema));
    this.sessions = names.sessions;
    this.steps = names.sessionSteps;
    this.approvals = approvalsTableName(usage.schema);
    this.deadLetters = deadLettersTableName(usage.schema);
  }

  async read(scope: UsageScope, now: Date, days: number): Promise<Dashboard> {
    const since = new Date(utcDay(now).getTime() - (days - 1) * 86_400_000);
    const { calls, runs, toolCalls } = this.usage.tables;
    return this.usage.read(scope, async (db) => {
      const query = async <R extends pg.QueryResultRow>(sql: (where: (column: string, from?: Date, to?: Date) => string, p: SqlValues) => string) => {
        const params = new SqlValues();
        const text = sql((column, from, to) => this.usage.where(scope, params, column, from, to), params);
        return (await db.query<R>(text, params.values)).rows;
      };
      const sessionsByStatus = await query<{ day: string; status: string; count: number }>(
        (where) => `SELECT to_char((started_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, status, count(*)::int AS count FROM ${this.sessions} WHERE ${where('started_at', since)} GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      const [latency] = await query<{ steps: number; p50: number | null; p95: number | null }>(
        (where) => `SELECT count(*)::int AS steps,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - scheduled_at)) AS p50,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - scheduled_at)) AS p95
          FROM ${this.steps} WHERE status = 'completed' AND scheduled_at IS NOT NULL AND ${where('completed_at', since)}`,
      );
      const [approvals] = await query<{ pending: number; oldest: Date | null }>((where) => `SELECT count(*)::int AS pending, min(requested_at) AS oldest FROM ${this.approvals} WHERE status = 'pending' AND ${where('requested_at')}`);
      const [deadLetters] = await query<{ pending: number }>((where) => `SELECT count(*)::int AS pending FROM ${this.deadLetters} WHERE status = 'pending' AND ${where('last_seen')}`);
      const costSince = async (from: Date) => Number((await query<{ cost: string }>((where) => `SELECT coalesce(sum(cost_usd), 0) AS cost FROM ${calls} WHERE ${where('occurred_at', from)}`))[0]!.cost);
      const byCost = (column: string) =>
        query<{ name: string; cost: string; calls: string }>(
          (where, p) => `SELECT ${column} AS name, sum(cost_usd) AS cost, count(*) AS calls FROM ${calls} WHERE ${column} IS NOT NULL AND ${where('occurred_at', since)} GROUP BY 1 ORDER BY 2 DESC, 3 DESC, 1 LIMIT ${p.add(top)}`,
        ).then((rows) => rows.map((row) => ({ name: row.name, costUsd: Number(row.cost), calls: Number(row.calls) })));
      const byFailures = (table: string, column: string, failed: string, at: string) =>
        query<{ name: string; failures: number }>(
          (where, p) => `SELECT ${column} AS name, count(*)::int AS failures FROM ${table} WHERE ${failed} AND ${where(at, since)} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${p.add(top)}`,
        );
      return {
        sessionsByStatus,
        stepLatency: { steps: latency?.steps ?? 0, p50Seconds: latency?.p50 ?? null, p95Seconds: latency?.p95 ?? null },
        approvals: { pending: approvals?.pending ?? 0, oldestPendingSeconds: approvals?.oldest ? Math.max(0, Math.round((now.getTime() - approvals.oldest.getTime()) / 1000)) : null },
        deadLetters: { pending: deadLetters?.pending ?? 0 },
        cost: { todayUsd: await costSince(utcDay(now)), monthUsd: await costSince(utcMonth(now)) },
        topAgents: { byCost: await byCost('agent'), byFailures: await byFailures(runs, 'agent', `status = 'failed'`, 'started_at') },
        topTools: { byCost: await byCost('tool'), byFailures: await byFailures(toolCalls, 'tool', `outcome = 'failed'`, 'occurred_at') },
      };
    });
  }
}

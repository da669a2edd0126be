import { readProjectionStatuses, type StallLimits } from '@agent-orchestrator/projections';
import { approvalsTableName, deadLettersTableName } from '@agent-orchestrator/read-models';
import type { AlertRule } from '@agent-orchestrator/contracts';
import type pg from 'pg';
import { deadLetterGrowthConditions, overdueApprovalConditions, stalledProjectionConditions, type AlertCondition, type DeadLetterGrowthLimits } from '../domain/alert-rules.js';

export interface ConditionLimits {
  readonly deadLetters: DeadLetterGrowthLimits;
  readonly approvalSlaMs: number;
  readonly stall: StallLimits;
}

/** The conditions that hold now, and the rules that were read (a rule whose table is not there yet resolves nothing). */
export interface Observed {
  readonly conditions: readonly AlertCondition[];
  readonly evaluated: ReadonlySet<AlertRule>;
}

async function tableExists(pool: pg.Pool, table: string): Promise<boolean> {
  const { rows } = await pool.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [table]);
  return rows[0]?.found === true;
}

/**
 * Reads what the sweepable rules judge, as the owner role (every tenant's rows): dead letters
 * arriving by tenant and consumer (`openKeys`: the open alerts, `<tenant>:<key>`), `projection_status`, pending approvals older than the SLA. The
 * database's clock, the one that stamped the rows, is the `now` the rules see.
 */
export async function observeConditions(pool: pg.Pool, schema: string, limits: ConditionLimits, openKeys: ReadonlySet<string>): Promise<Observed & { readonly now: Date }> {
  const { rows: clock } = await pool.query<{ now: Date }>('SELECT now() AS now');
  const now = clock[0]!.now;
  const conditions: AlertCondition[] = [];
  const evaluated = new Set<AlertRule>();

  const deadLetters = deadLettersTableName(schema);
  if (await tableExists(pool, deadLetters)) {
    // Arrived: became pending within the window (first seen, or seen again after a redrive failed).
    const { rows } = await pool.query<{ tenant_id: string | null; consumer: string; arrived: number; pending: number }>(
      `SELECT tenant_id, consumer, count(*) FILTER (WHERE last_seen > $1::timestamptz - make_interval(secs => $2::float8 / 1000))::int AS arrived, count(*)::int AS pending
         FROM ${deadLetters} WHERE status = 'pending' GROUP BY tenant_id, consumer`,
      [now, limits.deadLetters.windowMs],
    );
    const readings = rows.map((row) => ({ tenantId: row.tenant_id, consumer: row.consumer, arrivedInWindow: row.arrived, pending: row.pending }));
    conditions.push(...deadLetterGrowthConditions(readings, limits.deadLetters, openKeys));
    evaluated.add('dead-letters');
  }

  if (await tableExists(pool, `"${schema}".projection_status`)) {
    conditions.push(...stalledProjectionConditions(await readProjectionStatuses(pool, schema, limits.stall)));
    evaluated.add('projection-stalled');
  }

  const approvals = approvalsTableName(schema);
  if (await tableExists(pool, approvals)) {
    const { rows } = await pool.query<{ approval_id: string; tenant_id: string; tool: string; requested_at: Date }>(
      `SELECT approval_id, tenant_id, tool, requested_at FROM ${approvals} WHERE status = 'pending' AND requested_at < $1::timestamptz - make_interval(secs => $2::float8 / 1000) ORDER BY requested_at LIMIT 1000`,
      [now, limits.approvalSlaMs],
    );
    conditions.push(...overdueApprovalConditions(rows.map((row) => ({ approvalId: row.approval_id, tenantId: row.tenant_id, tool: row.tool, requestedAt: row.requested_at })), now, limits.approvalSlaMs));
    evaluated.add('approval-overdue');
  }
  return { conditions, evaluated, now };
}

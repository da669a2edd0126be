import type { DataSource } from 'typeorm';
import { inTenantScope } from '../tenant-scope.js';
import { approvalsTableName, type ApprovalRecord, type ApprovalStatus } from './approvals.js';

interface ApprovalRow {
  approval_id: string;
  tenant_id: string;
  session_id: string;
  run_id: string;
  call_id: string;
  agent: string;
  tool: string;
  target: unknown;
  arguments: string;
  requested_arguments: string;
  edited: boolean;
  rule_id: string;
  policy_version: number;
  reason: string;
  role: string;
  approvers_required: number;
  votes: ApprovalRecord['votes'];
  status: ApprovalStatus;
  escalated: boolean;
  on_expiry: string;
  context: ApprovalRecord['context'];
  requested_at: Date;
  expires_at: Date;
  settled_at: Date | null;
  outcome: ApprovalRecord['outcome'];
  quarantined_events: number;
}

/** Arguments are JSON text; shown as the value they hold, or as the text when it is not JSON. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toRecord(row: ApprovalRow): ApprovalRecord {
  return {
    approvalId: row.approval_id,
    tenantId: row.tenant_id,
    sessionId: row.session_id,
    runId: row.run_id,
    callId: row.call_id,
    agent: row.agent,
    tool: row.tool,
    target: row.target,
    arguments: parsed(row.arguments),
    requestedArguments: parsed(row.requested_arguments),
    edited: row.edited,
    rule: { id: row.rule_id, policyVersion: row.policy_version, reason: row.reason },
    role: row.role,
    approversRequired: row.approvers_required,
    votes: row.votes,
    status: row.status,
    escalated: row.escalated,
    onExpiry: row.on_expiry,
    context: row.context,
    requestedAt: row.requested_at,
    expiresAt: row.expires_at,
    settledAt: row.settled_at,
    outcome: row.outcome,
    quarantinedEvents: row.quarantined_events,
  };
}

export interface ListApprovalsQuery {
  readonly status?: ApprovalStatus;
  readonly sessionId?: string;
  /** Only items these roles may decide (admin may decide any); all when absent. */
  readonly decidableBy?: readonly string[];
  readonly limit: number;
  /** The requested_at/approval_id of the last item of the previous page. */
  readonly before?: { readonly requestedAt: string; readonly approvalId: string };
}

/**
 * Reads of the approvals read model. Every read of one tenant filters on it and runs in its tenant
 * scope; `due` and `holds` read across tenants for the platform's clocks, so they see rows only on
 * the owner's connection (the approvals and orchestrator services'), never on the application role's.
 */
export class ApprovalQueries {
  private readonly table: string;

  constructor(
    private readonly db: DataSource,
    schema: string,
  ) {
    this.table = approvalsTableName(schema);
  }

  async get(tenantId: string, approvalId: string): Promise<ApprovalRecord | undefined> {
    const rows: ApprovalRow[] = await inTenantScope(this.db, tenantId, (db) => db.query(`SELECT * FROM ${this.table} WHERE tenant_id = $1 AND approval_id = $2`, [tenantId, approvalId]));
    return rows[0] && toRecord(rows[0]);
  }

  /** Newest first. */
  async list(tenantId: string, query: ListApprovalsQuery): Promise<ApprovalRecord[]> {
    const where = ['tenant_id = $1'];
    const values: unknown[] = [tenantId];
    const param = (value: unknown) => `$${values.push(value)}`;
    if (query.status !== undefined) where.push(`status = ${param(query.status)}`);
    if (query.sessionId !== undefined) where.push(`session_id = ${param(query.sessionId)}`);
    if (query.decidableBy !== undefined && !query.decidableBy.includes('admin')) where.push(`role = ANY (${param(query.decidableBy)}::text[])`);
    if (query.before !== undefined) where.push(`(requested_at, approval_id) < (${param(query.before.requestedAt)}::timestamptz, ${param(query.before.approvalId)}::uuid)`);
    const rows: ApprovalRow[] = await inTenantScope(this.db, tenantId, (db) => db.query(`SELECT * FROM ${this.table} WHERE ${where.join(' AND ')} ORDER BY requested_at DESC, approval_id DESC LIMIT ${param(query.limit)}`, values));
    return rows.map(toRecord);
  }

  /** Of these sessions, the ones with an approval still pending. */
  async sessionsAwaiting(tenantId: string, sessionIds: readonly string[]): Promise<Set<string>> {
    if (sessionIds.length === 0) return new Set();
    const rows: { session_id: string }[] = await inTenantScope(this.db, tenantId, (db) =>
      db.query(`SELECT DISTINCT session_id FROM ${this.table} WHERE tenant_id = $1 AND status = 'pending' AND session_id = ANY ($2::text[])`, [tenantId, sessionIds]),
    );
    return new Set(rows.map((row) => row.session_id));
  }

  /** Pending approvals past their expiry, the longest overdue first: for the approvals clock. */
  async due(now: string, limit: number): Promise<{ approvalId: string; tenantId: string; sessionId: string; periodMs: number }[]> {
    const rows: { approval_id: string; tenant_id: string; session_id: string; period_ms: number }[] = await this.db.query(
      `SELECT approval_id, tenant_id, session_id, (extract(epoch FROM expires_at - requested_at) * 1000)::float8 AS period_ms
         FROM ${this.table} WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
      [now, limit],
    );
    // The period is the rule's: an escalated item no longer expires (it is decided or expires for good).
    return rows.map((row) => ({ approvalId: row.approval_id, tenantId: row.tenant_id, sessionId: row.session_id, periodMs: row.period_ms }));
  }

  /**
   * The runs of one session that an approval holds or held: pending, or when it was settled. A
   * step's timeout does not run while its call waits for a person, and restarts when it is settled.
   */
  async holds(sessionId: string): Promise<{ runId: string; settledAt: string | null }[]> {
    const rows: { run_id: string; settled_at: Date | null; pending: boolean }[] = await this.db.query(
      `SELECT run_id, max(settled_at) AS settled_at, bool_or(status = 'pending') AS pending FROM ${this.table} WHERE session_id = $1 GROUP BY run_id`,
      [sessionId],
    );
    return rows.map((row) => ({ runId: row.run_id, settledAt: row.pending || row.settled_at === null ? null : row.settled_at.toISOString() }));
  }
}

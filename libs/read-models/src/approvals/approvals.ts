import { parseStreamName, streamCategories, type ApprovalEvent, type Approver, type EventEnvelope } from '@agent-orchestrator/contracts';
import { isolateByTenant } from '@agent-orchestrator/postgres';
import type { Projection, ProjectionTables } from '@agent-orchestrator/projections';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { readOnlyFor } from '../tenant-scope.js';

export type ApprovalStatus = 'pending' | 'granted' | 'rejected' | 'expired';

/** One approval as the inbox shows it. */
export interface ApprovalRecord {
  readonly approvalId: string;
  readonly tenantId: string;
  readonly sessionId: string;
  readonly runId: string;
  readonly callId: string;
  readonly agent: string;
  readonly tool: string;
  readonly target: unknown;
  /** What the call runs with: the model's arguments, or the last approver's edit. */
  readonly arguments: unknown;
  readonly requestedArguments: unknown;
  readonly edited: boolean;
  readonly rule: { readonly id: string; readonly policyVersion: number; readonly reason: string };
  readonly role: string;
  readonly approversRequired: number;
  readonly votes: readonly (Approver & { readonly at: string; readonly reason?: string })[];
  readonly status: ApprovalStatus;
  readonly escalated: boolean;
  readonly onExpiry: string;
  readonly context: { readonly goal: string; readonly stepId?: string };
  readonly requestedAt: Date;
  readonly expiresAt: Date;
  readonly settledAt: Date | null;
  readonly outcome: { readonly by?: Approver; readonly reason?: string } | null;
  /** Events of this approval the projection quarantined: above 0 the item may miss what they said. */
  readonly quarantinedEvents: number;
}

/**
 * The approvals read model: one row per `approval-<id>` stream, for the inbox, the approvals
 * clock and the sessions' `awaiting_approval` overlay. Each row remembers the stream version it
 * reflects, so a replayed event changes nothing.
 */
export class ApprovalsProjection implements Projection {
  readonly name = 'approvals';
  readonly version = 1;
  readonly readModelTables: ProjectionTables;
  private readonly table: string;

  /** @param appRole the role the gateway reads the table as, one tenant at a time; without it only the owner may read it. */
  constructor(
    private readonly schema: string,
    private readonly appRole?: string,
  ) {
    this.table = approvalsTableName(schema);
    this.readModelTables = { schema, names: ['approvals'] };
  }

  inSchema(schema: string): ApprovalsProjection {
    return new ApprovalsProjection(schema, this.appRole);
  }

  async setUp(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`read-model:${this.schema}.approvals`]);
    await manager.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      approval_id uuid PRIMARY KEY,
      tenant_id text NOT NULL,
      session_id text NOT NULL,
      run_id text NOT NULL,
      call_id text NOT NULL,
      agent text NOT NULL,
      tool text NOT NULL,
      target jsonb,
      arguments text NOT NULL,
      requested_arguments text NOT NULL,
      edited boolean NOT NULL DEFAULT false,
      rule_id text NOT NULL,
      policy_version int NOT NULL,
      reason text NOT NULL,
      role text NOT NULL,
      approvers_required int NOT NULL,
      votes jsonb NOT NULL DEFAULT '[]',
      status text NOT NULL,
      escalated boolean NOT NULL DEFAULT false,
      on_expiry text NOT NULL,
      context jsonb NOT NULL,
      requested_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      settled_at timestamptz,
      outcome jsonb,
      last_stream_version int NOT NULL,
      quarantined_events int NOT NULL DEFAULT 0)`);
    // Tables made before quarantining existed; the default is right for every row they hold.
    await manager.query(`ALTER TABLE ${this.table} ADD COLUMN IF NOT EXISTS quarantined_events int NOT NULL DEFAULT 0`);
    await manager.query(`CREATE INDEX IF NOT EXISTS approvals_tenant_status ON ${this.table} (tenant_id, status, requested_at DESC)`);
    await manager.query(`CREATE INDEX IF NOT EXISTS approvals_session ON ${this.table} (session_id)`);
    await manager.query(`CREATE INDEX IF NOT EXISTS approvals_due ON ${this.table} (expires_at) WHERE status = 'pending'`);
    await isolateByTenant(manager, this.table, readOnlyFor(this.appRole));
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE ${this.table}`);
  }

  /** An approval whose ApprovalRequested was quarantined has no row to mark: it stays unknown to the inbox. */
  async markIncomplete(envelope: EventEnvelope, manager: EntityManager): Promise<void> {
    const { category, id } = parseStreamName(envelope.streamId);
    if (category === streamCategories.approval) await manager.query(`UPDATE ${this.table} SET quarantined_events = quarantined_events + 1 WHERE approval_id = $1`, [id]);
  }

  async markComplete(envelope: EventEnvelope, manager: EntityManager): Promise<void> {
    const { category, id } = parseStreamName(envelope.streamId);
    if (category === streamCategories.approval) await manager.query(`UPDATE ${this.table} SET quarantined_events = greatest(quarantined_events - 1, 0) WHERE approval_id = $1`, [id]);
  }

  async apply(envelope: EventEnvelope, manager: EntityManager): Promise<void> {
    const { category, id: approvalId } = parseStreamName(envelope.streamId);
    if (category !== streamCategories.approval) return;
    const event = envelope as EventEnvelope & ApprovalEvent;
    const version = envelope.streamVersion;
    const update = (assignments: string, values: unknown[]) =>
      manager.query(`UPDATE ${this.table} SET ${assignments}, last_stream_version = $2 WHERE approval_id = $1 AND last_stream_version < $2`, [approvalId, version, ...values]);
    switch (event.type) {
      case 'ApprovalRequested': {
        const d = event.data;
        await manager.query(
          `INSERT INTO ${this.table} (approval_id, tenant_id, session_id, run_id, call_id, agent, tool, target, arguments, requested_arguments, rule_id, policy_version,
             reason, role, approvers_required, status, on_expiry, context, requested_at, expires_at, last_stream_version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $9, $10, $11, $12, $13, $14, 'pending', $15, $16::jsonb, $17, $18, $19)
           ON CONFLICT (approval_id) DO NOTHING`,
          [approvalId, event.tenantId, d.sessionId, d.runId, d.callId, d.agent, d.tool, JSON.stringify(d.target), d.arguments, d.ruleId, d.policyVersion, d.reason, d.role, d.approversRequired, d.onExpiry, JSON.stringify(d.context), envelope.occurredAt, d.expiresAt, version],
        );
        return;
      }
      case 'ApprovalVoteRecorded': {
        const vote = JSON.stringify([{ ...event.data.approver, at: envelope.occurredAt, ...(event.data.reason === undefined ? {} : { reason: event.data.reason }) }]);
        if (event.data.arguments === undefined) await update(`votes = votes || $3::jsonb`, [vote]);
        else await update(`votes = $3::jsonb, arguments = $4, edited = true`, [vote, event.data.arguments]);
        return;
      }
      case 'ApprovalEscalated':
        await update(`role = $3, expires_at = $4, escalated = true`, [event.data.role, event.data.expiresAt]);
        return;
      case 'ApprovalGranted': {
        const votes = JSON.stringify(event.data.approvers.map((approver) => ({ ...approver, at: envelope.occurredAt })));
        await update(`status = 'granted', arguments = $3, edited = $4, votes = $5::jsonb, settled_at = $6, outcome = $7::jsonb`, [
          event.data.arguments,
          event.data.edited,
          votes,
          envelope.occurredAt,
          JSON.stringify({ by: event.data.approvers.at(-1), ...(event.data.reason === undefined ? {} : { reason: event.data.reason }) }),
        ]);
        return;
      }
      case 'ApprovalRejected':
        await update(`status = 'rejected', settled_at = $3, outcome = $4::jsonb`, [envelope.occurredAt, JSON.stringify({ by: event.data.rejectedBy, reason: event.data.reason })]);
        return;
      case 'ApprovalExpired':
        await update(`status = 'expired', settled_at = $3, outcome = $4::jsonb`, [envelope.occurredAt, JSON.stringify({ reason: `nobody decided by ${event.data.expiredAt}` })]);
        return;
      default:
        return;
    }
  }
}

export function approvalsTableName(schema: string): string {
  return `${pg.escapeIdentifier(schema)}.approvals`;
}

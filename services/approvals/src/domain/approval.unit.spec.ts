import type { Approver, EventEnvelope, NewEvent } from '@agent-orchestrator/contracts';
import { decideApproval, evolveApproval, initialApproval, type ApprovalCommand, type ApprovalState } from './approval.js';

const approvalId = '7d0c6f3a-2b1e-4c5d-9e8f-0a1b2c3d4e5f';
const requestedAt = '2026-11-22T09:00:00.000Z';
const alice: Approver = { id: 'key-alice', roles: ['approver'] };
const bob: Approver = { id: 'key-bob', roles: ['approver'] };
const viewer: Approver = { id: 'key-vic', roles: ['viewer'] };
const admin: Approver = { id: 'key-ada', roles: ['admin'] };
let version = 0;

function envelope(event: NewEvent): EventEnvelope {
  return { ...event, streamId: `approval-${approvalId}`, streamVersion: version++, globalPosition: String(version) } as EventEnvelope;
}

function requested(overrides: { approversRequired?: number; onExpiry?: 'fail' | 'escalate' } = {}): EventEnvelope {
  return envelope({
    eventId: '00000000-0000-4000-8000-000000000001',
    type: 'ApprovalRequested',
    schemaVersion: 1,
    tenantId: 'acme',
    correlationId: 's1',
    causationId: 'd1',
    actor: { kind: 'service', id: 'approvals' },
    occurredAt: requestedAt,
    traceparent: null,
    data: {
      approvalId,
      sessionId: 's1',
      runId: 's1.step.write.1',
      callId: 'call-1',
      tool: 'crm__updateCustomer',
      agent: 'Executor',
      arguments: '{"id":"42","tier":"gold"}',
      target: null,
      ruleId: 'writes',
      policyVersion: 3,
      reason: 'rule writes holds crm.updateCustomer',
      role: 'approver',
      approversRequired: overrides.approversRequired ?? 1,
      expiresAt: '2026-11-22T10:00:00.000Z',
      onExpiry: overrides.onExpiry ?? 'fail',
      context: { goal: 'Upgrade customer 42', stepId: 'write' },
    },
  } as NewEvent);
}

const metadata = (now = '2026-11-22T09:10:00.000Z', tenantId = 'acme') => ({
  tenantId,
  correlationId: 's1',
  causationId: 'cmd',
  actor: { kind: 'user' as const, id: 'key' },
  traceparent: null,
  now,
  eventIds: ['00000000-0000-4000-8000-0000000000aa'],
});
const approve = (approver: Approver, args?: string): ApprovalCommand => ({ type: 'DecideApproval', approvalId, decision: 'approve', approver, ...(args ? { arguments: args } : {}), metadata: metadata() });
const reject = (approver: Approver, reason?: string): ApprovalCommand => ({ type: 'DecideApproval', approvalId, decision: 'reject', approver, ...(reason ? { reason } : {}), metadata: metadata() });
const expire = (now: string, escalateUntil = '2026-11-22T11:00:00.000Z'): ApprovalCommand => ({ type: 'ExpireApproval', approvalId, escalateUntil, metadata: metadata(now) });

/** Given events, when a command: the events it decides (each folded into the returned state too). */
function given(...events: EventEnvelope[]) {
  let state: ApprovalState = events.reduce(evolveApproval, initialApproval());
  return {
    when(command: ApprovalCommand) {
      const decided = decideApproval(command, state);
      state = decided.map(envelope).reduce(evolveApproval, state);
      return { decided, state };
    },
  };
}

describe('an approval', () => {
  it('is granted by one approver with the model arguments', () => {
    const { decided, state } = given(requested()).when(approve(alice));
    expect(decided).toEqual([expect.objectContaining({ type: 'ApprovalGranted', data: expect.objectContaining({ arguments: '{"id":"42","tier":"gold"}', edited: false, approvers: [alice] }) })]);
    expect(state.status).toBe('granted');
  });

  it('runs with the arguments an approver edited', () => {
    const { decided } = given(requested()).when(approve(alice, '{"id":"42","tier":"silver"}'));
    expect(decided[0]).toMatchObject({ type: 'ApprovalGranted', data: { arguments: '{"id":"42","tier":"silver"}', edited: true } });
  });

  it('needs its quorum, counts each approver once, and restarts the count after an edit', () => {
    const approval = given(requested({ approversRequired: 2 }));
    expect(approval.when(approve(alice)).decided[0]!.type).toBe('ApprovalVoteRecorded');
    expect(() => approval.when(approve(alice))).toThrow(expect.objectContaining({ code: 'AlreadyVoted' }));
    // Bob edits: Alice's yes was for other arguments.
    expect(approval.when(approve(bob, '{"id":"42","tier":"silver"}')).decided[0]).toMatchObject({ type: 'ApprovalVoteRecorded', data: { arguments: '{"id":"42","tier":"silver"}' } });
    const { decided } = approval.when(approve(alice));
    expect(decided[0]).toMatchObject({ type: 'ApprovalGranted', data: { arguments: '{"id":"42","tier":"silver"}', edited: true, approvers: [bob, alice] } });
  });

  it('is rejected with a reason', () => {
    const { decided } = given(requested({ approversRequired: 2 })).when(reject(bob, 'not this quarter'));
    expect(decided[0]).toMatchObject({ type: 'ApprovalRejected', data: { rejectedBy: bob, reason: 'not this quarter' } });
  });

  it('refuses a decision by a key without the role, another tenant, and any decision once settled', () => {
    expect(() => given(requested()).when(approve(viewer))).toThrow(expect.objectContaining({ code: 'NotAnApprover' }));
    expect(() => given(requested()).when({ ...approve(alice), metadata: metadata(undefined, 'umbrella') })).toThrow(expect.objectContaining({ code: 'ApprovalNotFound' }));
    expect(given(requested()).when(approve(admin)).state.status).toBe('granted');
    const settled = given(requested());
    settled.when(reject(alice));
    expect(() => settled.when(approve(bob))).toThrow(expect.objectContaining({ code: 'ApprovalSettled' }));
    expect(() => given().when(approve(alice))).toThrow(expect.objectContaining({ code: 'ApprovalNotFound' }));
  });

  it('expires only once past its expiry', () => {
    const approval = given(requested());
    expect(approval.when(expire('2026-11-22T09:59:59.999Z')).decided).toEqual([]);
    expect(approval.when(expire('2026-11-22T10:00:01.000Z')).decided[0]).toMatchObject({ type: 'ApprovalExpired', data: { expiredAt: '2026-11-22T10:00:01.000Z' } });
    expect(approval.when(expire('2026-11-22T11:00:00.000Z')).decided).toEqual([]);
  });

  it('escalates to admins for one more period, then expires', () => {
    const approval = given(requested({ onExpiry: 'escalate' }));
    expect(approval.when(expire('2026-11-22T10:00:00.000Z')).decided[0]).toMatchObject({ type: 'ApprovalEscalated', data: { role: 'admin', expiresAt: '2026-11-22T11:00:00.000Z' } });
    expect(() => approval.when(approve(alice))).toThrow(expect.objectContaining({ code: 'NotAnApprover' }));
    expect(approval.when(expire('2026-11-22T11:00:00.000Z')).decided[0]!.type).toBe('ApprovalExpired');
  });
});

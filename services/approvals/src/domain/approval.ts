import { epochMillisOf, type ApprovalEvent, type Approver, type DecideApproval, type EventEnvelope, type ExpireApproval, type NewEvent, type Role } from '@agent-orchestrator/contracts';

/**
 * Why an approval refused a decision. The gateway maps codes to HTTP; compare `code`.
 * - ApprovalNotFound: no approval with that id (for the tenant).
 * - ApprovalSettled: it was already granted, rejected or expired.
 * - NotAnApprover: the decider lacks the role the rule asked for.
 * - AlreadyVoted: this approver's yes is already counted (quorum needs others).
 * - InvalidCommand: metadata the decider cannot use.
 */
export const approvalErrorCodes = ['ApprovalNotFound', 'ApprovalSettled', 'NotAnApprover', 'AlreadyVoted', 'InvalidCommand'] as const;
export type ApprovalErrorCode = (typeof approvalErrorCodes)[number];

export class ApprovalError extends Error {
  override readonly name = 'ApprovalError';

  constructor(
    readonly code: ApprovalErrorCode,
    message: string,
  ) {
    super(message);
  }
}

type Requested = Extract<ApprovalEvent, { type: 'ApprovalRequested' }>['data'];

export type ApprovalState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'pending';
      readonly tenantId: string;
      readonly request: Requested;
      /** Who may decide now: the rule's role, or admin once escalated. */
      readonly role: Role;
      readonly expiresAt: string;
      readonly escalated: boolean;
      /** The arguments the call would run with: the model's, or the last edit. */
      readonly arguments: string;
      readonly edited: boolean;
      /** Yes votes for the current arguments. */
      readonly votes: readonly Approver[];
    }
  | { readonly status: 'granted' | 'rejected' | 'expired'; readonly tenantId: string; readonly request: Requested };

export type ApprovalCommand = DecideApproval | ExpireApproval;

export const initialApproval = (): ApprovalState => ({ status: 'absent' });

export function evolveApproval(state: ApprovalState, envelope: EventEnvelope): ApprovalState {
  const event = envelope as EventEnvelope & ApprovalEvent;
  switch (event.type) {
    case 'ApprovalRequested':
      if (state.status !== 'absent') return state;
      return { status: 'pending', tenantId: event.tenantId, request: event.data, role: event.data.role, expiresAt: event.data.expiresAt, escalated: false, arguments: event.data.arguments, edited: false, votes: [] };
    case 'ApprovalVoteRecorded': {
      if (state.status !== 'pending') return state;
      const edit = event.data.arguments;
      return edit === undefined ? { ...state, votes: [...state.votes, event.data.approver] } : { ...state, arguments: edit, edited: true, votes: [event.data.approver] };
    }
    case 'ApprovalEscalated':
      if (state.status !== 'pending') return state;
      return { ...state, role: event.data.role, expiresAt: event.data.expiresAt, escalated: true };
    case 'ApprovalGranted':
    case 'ApprovalRejected':
    case 'ApprovalExpired':
      if (state.status === 'absent') return state;
      return { status: event.type === 'ApprovalGranted' ? 'granted' : event.type === 'ApprovalRejected' ? 'rejected' : 'expired', tenantId: state.tenantId, request: state.request };
    default:
      return state;
  }
}

function instant(value: string): number {
  const millis = epochMillisOf(value);
  if (millis === undefined) throw new ApprovalError('InvalidCommand', `"${value}" is not a UTC ISO-8601 instant`);
  return millis;
}

/** Whether someone with these roles may decide: the role asked for, or admin. */
export const mayDecide = (roles: readonly Role[], asked: Role): boolean => roles.includes(asked) || roles.includes('admin');

/**
 * Decides one command on one approval. A rejection settles it at once; a yes counts towards the
 * quorum, and the one that reaches it grants the call. A yes with edited arguments restarts the
 * count: earlier yeses were for other arguments. Past its expiry an approval escalates to admins
 * once (when its rule says so) and otherwise expires.
 */
export function decideApproval(command: ApprovalCommand, state: ApprovalState): NewEvent[] {
  const { eventIds, now, tenantId, correlationId, causationId, actor, traceparent } = command.metadata;
  const eventId = eventIds[0];
  if (eventId === undefined) throw new ApprovalError('InvalidCommand', `${command.type} carries no event id`);
  if (state.status === 'absent' || state.tenantId !== tenantId) throw new ApprovalError('ApprovalNotFound', `There is no approval ${command.approvalId}.`);
  const { approvalId, sessionId, runId, callId, tool } = state.request;
  const call = { approvalId, sessionId, runId, callId, tool };
  const event = (type: ApprovalEvent['type'], data: Record<string, unknown>): NewEvent => ({ eventId, type, schemaVersion: 1, tenantId, correlationId, causationId, actor, occurredAt: now, traceparent, data });

  if (command.type === 'ExpireApproval') {
    if (state.status !== 'pending' || instant(now) < instant(state.expiresAt)) return [];
    if (state.request.onExpiry === 'escalate' && !state.escalated) {
      return [event('ApprovalEscalated', { approvalId, role: 'admin', expiresAt: command.escalateUntil })];
    }
    return [event('ApprovalExpired', { ...call, expiredAt: now })];
  }

  if (state.status !== 'pending') throw new ApprovalError('ApprovalSettled', `Approval ${approvalId} was already ${state.status}; nothing was changed.`);
  const { approver } = command;
  if (!mayDecide(approver.roles, state.role)) {
    throw new ApprovalError('NotAnApprover', `Approval ${approvalId} needs a key with the ${state.role} role (or admin); yours has ${approver.roles.join(', ') || 'none'}.`);
  }
  const reason = command.reason === undefined ? {} : { reason: command.reason };
  if (command.decision === 'reject') {
    return [event('ApprovalRejected', { ...call, rejectedBy: approver, reason: command.reason ?? `rejected by ${approver.id}` })];
  }
  const edit = command.arguments !== undefined && command.arguments !== state.arguments ? command.arguments : undefined;
  if (edit === undefined && state.votes.some((vote) => vote.id === approver.id)) {
    throw new ApprovalError('AlreadyVoted', `${approver.id} already approved ${approvalId}; it needs ${state.request.approversRequired - state.votes.length} more approver(s).`);
  }
  const votes = edit === undefined ? [...state.votes, approver] : [approver];
  if (votes.length < state.request.approversRequired) {
    return [event('ApprovalVoteRecorded', { approvalId, approver, ...reason, ...(edit === undefined ? {} : { arguments: edit }) })];
  }
  return [event('ApprovalGranted', { ...call, arguments: edit ?? state.arguments, edited: edit !== undefined || state.edited, approvers: votes, ...reason })];
}

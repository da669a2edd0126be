import { randomUUID } from 'node:crypto';
import { approvalIdSchema, approvalStream, type ApprovalCommandMessage, type Approver, type TopicNames } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import type { ApprovalQueries, ApprovalRecord, ApprovalStatus } from '@agent-orchestrator/read-models';
import { ArgumentsValidator, pinnedOperation } from '@agent-orchestrator/tools';
import { z } from 'zod';
import type { Principal } from '../auth/access.guard.js';
import { commandMetadata, pollFor, sendCommand } from '../commands.js';
import { GatewayError } from '../errors.js';

export interface ApprovalsBackend {
  readonly store: EventStore;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  readonly approvals: ApprovalQueries;
  readonly confirmMs?: number;
}

export interface DecisionRequest {
  readonly decision: 'approve' | 'reject';
  readonly reason?: string;
  readonly arguments?: Record<string, unknown>;
}

export interface ListApprovalsRequest {
  readonly status: ApprovalStatus;
  readonly sessionId?: string;
  /** me: only what the caller's roles may decide; all: the tenant's. */
  readonly for: 'me' | 'all';
  readonly limit: number;
  readonly before?: string;
}

/** What cursorOf hands out; anything else is refused before it reaches SQL (a timestamp cast would fail there). */
const beforeCursor = z.tuple([z.iso.datetime(), approvalIdSchema]);
const settlements = new Set(['ApprovalGranted', 'ApprovalRejected', 'ApprovalExpired']);
const mayDecide = (caller: Principal, role: string) => caller.roles.includes('admin') || (caller.roles as readonly string[]).includes(role);
const cursorOf = (record: ApprovalRecord) => Buffer.from(JSON.stringify([record.requestedAt.toISOString(), record.approvalId])).toString('base64url');

/**
 * The approval inbox. Items are the approvals read model; a decision goes to the approvals
 * service as DecideApproval, after the checks a person should hear about at once (404, 403, 409,
 * edited arguments that do not fit the operation: 422). The approval's own stream has the last
 * word: the answer waits until the decision is in the log, and is a 409 when another decision
 * settled the item first.
 */
export class Approvals {
  private readonly validator = new ArgumentsValidator();

  constructor(private readonly backend: ApprovalsBackend) {}

  async list(caller: Principal, request: ListApprovalsRequest) {
    let before: { requestedAt: string; approvalId: string } | undefined;
    if (request.before !== undefined) {
      try {
        const [requestedAt, approvalId] = beforeCursor.parse(JSON.parse(Buffer.from(request.before, 'base64url').toString('utf8')));
        before = { requestedAt, approvalId };
      } catch {
        throw new GatewayError('InvalidRequest', 'The "before" cursor is not one this API handed out; use the nextCursor of the previous page.');
      }
    }
    const items = await this.backend.approvals.list(caller.tenantId, {
      status: request.status,
      ...(request.sessionId === undefined ? {} : { sessionId: request.sessionId }),
      ...(request.for === 'me' ? { decidableBy: caller.roles } : {}),
      limit: request.limit + 1,
      ...(before ? { before } : {}),
    });
    const page = items.slice(0, request.limit);
    return { items: page, nextCursor: items.length > request.limit ? cursorOf(page.at(-1)!) : null };
  }

  async get(tenantId: string, approvalId: string): Promise<ApprovalRecord> {
    const found = await this.backend.approvals.get(tenantId, approvalId);
    if (!found) throw new GatewayError('NotFound', `Your tenant has no approval ${approvalId}. GET /v1/approvals lists the pending ones.`);
    return found;
  }

  async decide(caller: Principal, approvalId: string, request: DecisionRequest) {
    const item = await this.get(caller.tenantId, approvalId);
    if (item.status !== 'pending') throw new GatewayError('Conflict', `Approval ${approvalId} was already ${item.status}${item.outcome?.by ? ` by ${item.outcome.by.id}` : ''}; nothing was changed.`);
    if (!mayDecide(caller, item.role)) throw new GatewayError('Forbidden', `Approval ${approvalId} needs a key with the ${item.role} role (or admin); yours has ${caller.roles.join(', ')}.`);
    if (request.decision === 'reject' && request.arguments !== undefined) throw new GatewayError('InvalidBody', 'Only an approval can carry edited "arguments"; a rejection cannot.');
    const argumentsJson = request.arguments === undefined ? undefined : JSON.stringify(request.arguments);
    if (argumentsJson !== undefined) await this.checkArguments(caller.tenantId, item, argumentsJson);
    const edits = argumentsJson !== undefined && JSON.stringify(item.arguments) !== argumentsJson;
    if (request.decision === 'approve' && !edits && item.votes.some((vote) => vote.id === caller.subject)) {
      throw new GatewayError('Conflict', `You already approved ${approvalId}; it needs ${item.approversRequired - item.votes.length} more approver(s).`);
    }

    const { store, producer, topics } = this.backend;
    const stream = approvalStream(approvalId);
    const commandId = randomUUID();
    const approver: Approver = { id: caller.subject, roles: [...caller.roles] };
    const message: ApprovalCommandMessage = {
      commandId,
      command: {
        type: 'DecideApproval',
        approvalId,
        decision: request.decision,
        ...(request.reason === undefined ? {} : { reason: request.reason }),
        ...(argumentsJson === undefined ? {} : { arguments: argumentsJson }),
        approver,
        metadata: commandMetadata(caller, item.sessionId, commandId),
      },
    };
    await sendCommand(producer, topics.commands('approvals'), stream, message);
    const outcome = await pollFor(async () => {
      const events = await store.readStream(stream);
      const ours = events.find((event) => event.causationId === commandId);
      if (ours) return { ours, settled: undefined };
      const settled = events.find((event) => settlements.has(event.type));
      return settled ? { ours: undefined, settled } : undefined;
    }, this.backend.confirmMs ?? 5000);
    if (!outcome) throw new GatewayError('Unavailable', `The decision was sent but is not recorded yet. GET /v1/approvals/${approvalId} shortly to see whether it landed.`);
    if (!outcome.ours) throw new GatewayError('Conflict', `Approval ${approvalId} was settled by another decision (${outcome.settled.type}) first; yours changed nothing.`);
    const status: 'granted' | 'rejected' | 'pending' = outcome.ours.type === 'ApprovalGranted' ? 'granted' : outcome.ours.type === 'ApprovalRejected' ? 'rejected' : 'pending';
    return { approvalId, status, decision: request.decision, recorded: outcome.ours.type, eventId: outcome.ours.eventId };
  }

  /** Edited arguments must fit the operation the session pinned, like the model's had to. */
  private async checkArguments(tenantId: string, item: ApprovalRecord, argumentsJson: string): Promise<void> {
    const pinned = await pinnedOperation(this.backend.store, tenantId, item.sessionId, item.tool);
    if (pinned.kind !== 'operation') return; // built-in tools check their own arguments
    const problem = this.validator.problem(`${tenantId}/${pinned.tool}/${pinned.version}/${pinned.operation.name}`, pinned.operation, argumentsJson);
    if (problem !== undefined) throw new GatewayError('InvalidBody', `The edited arguments do not fit ${pinned.tool}.${pinned.operation.name}: ${problem}`);
  }
}

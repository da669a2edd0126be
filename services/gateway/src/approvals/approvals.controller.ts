import { approvalIdSchema, approverSchema } from '@agent-orchestrator/contracts';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { GatewayError } from '../errors.js';
import { Returns, instant } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { ValidQuery } from '../http/valid-query.js';
import { Approvals } from './approvals.js';

const decisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  reason: z.string().min(1).max(4000).optional().describe('Why; shown to the agent when rejecting.'),
  arguments: z.record(z.string(), z.unknown()).optional().describe("Approve with these arguments instead of the model's; checked against the operation's schema."),
});
type DecisionBody = z.infer<typeof decisionBody>;

const approvalStatus = z.enum(['pending', 'granted', 'rejected', 'expired']);

const listQuery = z.strictObject({
  status: approvalStatus.default('pending'),
  sessionId: z.string().min(1).max(200).optional(),
  for: z.enum(['me', 'all']).default('me'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().min(1).max(500).optional(),
});

/** An approval as the approvals read model holds it. */
const approval = z.object({
  approvalId: z.string(),
  tenantId: z.string(),
  sessionId: z.string(),
  runId: z.string(),
  callId: z.string(),
  agent: z.string(),
  tool: z.string(),
  target: z.unknown().describe('What the call touches, as the policy rule saw it.'),
  arguments: z.unknown().describe("What the call runs with: the model's arguments, or the last approver's edit."),
  requestedArguments: z.unknown(),
  edited: z.boolean(),
  rule: z.object({ id: z.string(), policyVersion: z.number().int(), reason: z.string() }),
  role: z.string().describe('The role that may decide it (admin may too).'),
  approversRequired: z.number().int(),
  votes: z.array(approverSchema.extend({ at: z.string(), reason: z.string().optional() })),
  status: approvalStatus,
  escalated: z.boolean(),
  onExpiry: z.string(),
  context: z.object({ goal: z.string(), stepId: z.string().optional() }),
  requestedAt: instant,
  expiresAt: instant,
  settledAt: instant.nullable(),
  outcome: z.object({ by: approverSchema.optional(), reason: z.string().optional() }).nullable(),
  quarantinedEvents: z.number().int().describe('Events of this approval the read model quarantined: above 0 the item may miss what they said.'),
});

const approvalPage = z.object({
  items: z.array(approval),
  nextCursor: z.string().nullable().describe('Pass as `before` for the next page, with the same filters; null on the last page.'),
});

const decided = z.object({
  approvalId: z.string(),
  status: z.enum(['pending', 'granted', 'rejected']).describe('pending: the vote was recorded and the quorum needs more.'),
  decision: z.enum(['approve', 'reject']),
  recorded: z.string().describe('The event that recorded the decision: ApprovalGranted, ApprovalRejected or ApprovalVoteRecorded.'),
  eventId: z.string(),
});

const approvalIdParam = ApiParam({ name: 'id', description: 'The approval id (a UUID), as the inbox or the live WebSocket gave it.', schema: { type: 'string' } });

function approvalId(id: string): string {
  if (!approvalIdSchema.safeParse(id).success) throw new GatewayError('NotFound', `There is no approval ${id}: approval ids are UUIDs.`);
  return id;
}

@AuthenticatedApi('approvals')
@Controller('v1/approvals')
export class ApprovalsController {
  constructor(private readonly approvals: Approvals) {}

  @Get()
  @Can('read', 'Approval')
  @ApiOperation({ operationId: 'listApprovals', summary: 'The approval inbox: pending calls your roles may decide, newest first (`?for=all` for every one of the tenant; `?status=` for settled ones).' })
  @Returns(200, approvalPage)
  @ApiProblems(400)
  list(@ValidQuery(listQuery) query: z.infer<typeof listQuery>, @Caller() caller: Principal) {
    return this.approvals.list(caller, query);
  }

  @Get(':id')
  @Can('read', 'Approval')
  @ApiOperation({ operationId: 'getApproval', summary: 'One approval: the call, its arguments, the policy rule that held it, the session context, votes and outcome.' })
  @approvalIdParam
  @Returns(200, approval)
  @ApiProblems(404)
  get(@Param('id') id: string, @Caller() caller: Principal) {
    return this.approvals.get(caller.tenantId, approvalId(id));
  }

  @Post(':id/decision')
  @HttpCode(200)
  @Can('decide', 'Approval')
  @ApiOperation({ operationId: 'decideApproval', summary: 'Approve, approve with edited arguments, or reject with a reason. With a quorum, each approver votes once; the vote that reaches it lets the call run.' })
  @approvalIdParam
  @Returns(200, decided, { description: 'The decision is in the log' })
  @ApiProblems(404, 409, 413, 415, 422, 503)
  decide(@Param('id') id: string, @ValidBody(decisionBody) body: DecisionBody, @Caller() caller: Principal) {
    return this.approvals.decide(caller, approvalId(id), body);
  }
}

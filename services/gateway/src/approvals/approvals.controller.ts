import { approvalIdSchema } from '@agent-orchestrator/contracts';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { GatewayError } from '../errors.js';
import { ApiProblems, apiKeyHeaderScheme, bearerScheme } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { ValidQuery } from '../http/valid-query.js';
import { Approvals } from './approvals.js';

const decisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  reason: z.string().min(1).max(4000).optional().describe('Why; shown to the agent when rejecting.'),
  arguments: z.record(z.string(), z.unknown()).optional().describe("Approve with these arguments instead of the model's; checked against the operation's schema."),
});
type DecisionBody = z.infer<typeof decisionBody>;

const listQuery = z.strictObject({
  status: z.enum(['pending', 'granted', 'rejected', 'expired']).default('pending'),
  sessionId: z.string().min(1).max(200).optional(),
  for: z.enum(['me', 'all']).default('me'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().min(1).max(500).optional(),
});

function approvalId(id: string): string {
  if (!approvalIdSchema.safeParse(id).success) throw new GatewayError('NotFound', `There is no approval ${id}: approval ids are UUIDs.`);
  return id;
}

@ApiTags('approvals')
@ApiBearerAuth(bearerScheme)
@ApiSecurity(apiKeyHeaderScheme)
@ApiProblems(401, 403)
@Controller('v1/approvals')
export class ApprovalsController {
  constructor(private readonly approvals: Approvals) {}

  @Get()
  @Can('read', 'Approval')
  @ApiOperation({ summary: 'The approval inbox: pending calls your roles may decide, newest first (`?for=all` for every one of the tenant; `?status=` for settled ones).' })
  @ApiProblems(400)
  list(@ValidQuery(listQuery) query: z.infer<typeof listQuery>, @Caller() caller: Principal) {
    return this.approvals.list(caller, query);
  }

  @Get(':id')
  @Can('read', 'Approval')
  @ApiOperation({ summary: 'One approval: the call, its arguments, the policy rule that held it, the session context, votes and outcome.' })
  @ApiProblems(404)
  get(@Param('id') id: string, @Caller() caller: Principal) {
    return this.approvals.get(caller.tenantId, approvalId(id));
  }

  @Post(':id/decision')
  @HttpCode(200)
  @Can('decide', 'Approval')
  @ApiOperation({ summary: 'Approve, approve with edited arguments, or reject with a reason. With a quorum, each approver votes once; the vote that reaches it lets the call run.' })
  @ApiProblems(404, 409, 413, 415, 422, 503)
  decide(@Param('id') id: string, @ValidBody(decisionBody) body: DecisionBody, @Caller() caller: Principal) {
    return this.approvals.decide(caller, approvalId(id), body);
  }
}

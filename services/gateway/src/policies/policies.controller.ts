import { policyDocumentSchema, type PolicyDocument } from '@agent-orchestrator/contracts';
import { Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { ApiProblems, apiKeyHeaderScheme, bearerScheme } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { Policies } from './policies.js';

@ApiTags('policies')
@ApiBearerAuth(bearerScheme)
@ApiSecurity(apiKeyHeaderScheme)
@ApiProblems(401, 403)
@Controller('v1/policies')
export class PoliciesController {
  constructor(private readonly policies: Policies) {}

  @Get()
  @Can('read', 'Policy')
  @ApiOperation({ summary: "Your tenant's tool policy at its latest version (version 0: none set, every call allowed)." })
  current(@Caller() caller: Principal) {
    return this.policies.current(caller.tenantId);
  }

  @Put()
  @Can('update', 'Policy')
  @ApiOperation({
    summary:
      'Replace the tool policy with a new version: an allow-list of tools, and rules (allow, deny, require_approval with approver role, quorum and expiry) matched by agent, tool, operation, HTTP method and scope; the strictest matching rule wins.',
  })
  @ApiProblems(413, 415, 422, 503)
  update(@ValidBody(policyDocumentSchema) body: PolicyDocument, @Caller() caller: Principal) {
    return this.policies.update(caller, body);
  }
}

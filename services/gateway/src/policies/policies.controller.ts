import { policyDocumentSchema, type PolicyDocument } from '@agent-orchestrator/contracts';
import { Controller, Get, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { Policies, type PolicyVersion } from './policies.js';

const policyVersion = z.object({
  version: z.number().int().min(0).describe('0 before any PUT: every call allowed.'),
  updatedAt: z.iso.datetime().nullable().describe('When this version was set; null for version 0.'),
  ...policyDocumentSchema.shape,
});

@AuthenticatedApi('policies')
@Controller('v1/policies')
export class PoliciesController {
  constructor(private readonly policies: Policies) {}

  @Get()
  @Can('read', 'Policy')
  @ApiOperation({ operationId: 'getPolicies', summary: "Your tenant's tool policy at its latest version (version 0: none set, every call allowed)." })
  @Returns(200, policyVersion)
  current(@Caller() caller: Principal): Promise<PolicyVersion> {
    return this.policies.current(caller.tenantId);
  }

  @Put()
  @Can('update', 'Policy')
  @ApiOperation({
    operationId: 'setPolicies',
    summary:
      'Replace the tool policy with a new version: an allow-list of tools, and rules (allow, deny, require_approval with approver role, quorum and expiry) matched by agent, tool, operation, HTTP method and scope; the strictest matching rule wins.',
  })
  @Returns(200, policyVersion, { description: 'The new version, once it is in effect' })
  @ApiProblems(400, 413, 415, 422, 503)
  update(@ValidBody(policyDocumentSchema) body: PolicyDocument, @Caller() caller: Principal): Promise<PolicyVersion> {
    return this.policies.update(caller, body);
  }
}

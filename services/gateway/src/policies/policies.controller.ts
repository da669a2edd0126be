import { actorSchema, policyDocumentSchema, type PolicyDocument } from '@agent-orchestrator/contracts';
import { Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { GatewayError } from '../errors.js';
import { ValidBody } from '../http/valid-body.js';
import { Policies, type PolicyHistoryVersion, type PolicyVersion, type PolicyVersionSummary } from './policies.js';

const policyVersion = z.object({
  version: z.number().int().min(0).describe('0 before any PUT: every call allowed.'),
  updatedAt: z.iso.datetime().nullable().describe('When this version was set; null for version 0.'),
  ...policyDocumentSchema.shape,
});

const setBy = actorSchema.describe('Who set it: the user (or service) whose request made this version.');
const policyVersionList = z.object({
  items: z
    .array(
      z.object({
        version: z.number().int().min(1),
        updatedAt: z.iso.datetime().describe('When this version was set.'),
        setBy,
        rules: z.number().int().min(0).describe('How many rules it has.'),
      }),
    )
    .describe('Newest first.'),
});
const policyHistoryVersion = policyVersion.extend({ version: z.number().int().min(1), updatedAt: z.iso.datetime(), setBy });

const versionParam = ApiParam({ name: 'version', description: 'A version GET /v1/policies/versions lists: 1, 2, ...', schema: { type: 'integer', minimum: 1 } });

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

  @Get('versions')
  @Can('read', 'Policy')
  @ApiOperation({ operationId: 'listPolicyVersions', summary: "Every version of your tenant's tool policy, newest first: when it was set, by whom, and how many rules it has." })
  @Returns(200, policyVersionList)
  versions(@Caller() caller: Principal): Promise<{ items: PolicyVersionSummary[] }> {
    return this.policies.versions(caller.tenantId);
  }

  @Get('versions/:version')
  @Can('read', 'Policy')
  @ApiOperation({ operationId: 'getPolicyVersion', summary: 'One version of the tool policy as it stood when it was set, and who set it.' })
  @versionParam
  @Returns(200, policyHistoryVersion)
  @ApiProblems(404)
  async version(@Param('version') version: string, @Caller() caller: Principal): Promise<PolicyHistoryVersion> {
    // Anything but a version number names no version: 404 as for a number never set, so every
    // version the tenant lacks reads alike.
    const found = /^[1-9]\d{0,8}$/.test(version) ? await this.policies.version(caller.tenantId, Number(version)) : undefined;
    if (!found) throw new GatewayError('NotFound', `Your tenant's policy has no version ${version.slice(0, 20)}. GET /v1/policies/versions lists them.`);
    return found;
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

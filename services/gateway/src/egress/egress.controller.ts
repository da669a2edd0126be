import { egressAllowListSchema, type EgressAllowList } from '@agent-orchestrator/contracts';
import { Controller, Get, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { Egress, type EgressVersion } from './egress.js';

const egressVersion = z.object({
  version: z.number().int().min(0).describe('0 before any PUT: nothing allowed beyond the defaults.'),
  updatedAt: z.iso.datetime().nullable().describe('When this version was set; null for version 0.'),
  allow: egressAllowListSchema.shape.allow.readonly(),
});

@AuthenticatedApi('egress')
@Controller('v1/egress')
export class EgressController {
  constructor(private readonly egress: Egress) {}

  @Get()
  @Can('read', 'Egress')
  @ApiOperation({ operationId: 'getEgress', summary: "Your tenant's egress allow-list at its latest version (version 0: none set; loopback, private, link-local and other internal addresses are refused)." })
  @Returns(200, egressVersion)
  current(@Caller() caller: Principal): Promise<EgressVersion> {
    return this.egress.current(caller.tenantId);
  }

  @Put()
  @Can('update', 'Egress')
  @ApiOperation({
    operationId: 'setEgress',
    summary:
      'Replace the egress allow-list with a new version: the destinations tool documents and tool calls may reach although they are internal addresses. Entries: a host name (any port), host:port, an IP address, [IPv6]:port, or a CIDR block.',
  })
  @Returns(200, egressVersion, { description: 'The new version, once it is in effect' })
  @ApiProblems(400, 413, 415, 422, 503)
  update(@ValidBody(egressAllowListSchema) body: EgressAllowList, @Caller() caller: Principal): Promise<EgressVersion> {
    return this.egress.update(caller, body.allow);
  }
}

import { egressAllowListSchema, type EgressAllowList } from '@agent-orchestrator/contracts';
import { Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { ApiProblems, apiKeyHeaderScheme, bearerScheme } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { Egress } from './egress.js';

@ApiTags('egress')
@ApiBearerAuth(bearerScheme)
@ApiSecurity(apiKeyHeaderScheme)
@ApiProblems(401, 403)
@Controller('v1/egress')
export class EgressController {
  constructor(private readonly egress: Egress) {}

  @Get()
  @Can('read', 'Egress')
  @ApiOperation({ summary: "Your tenant's egress allow-list at its latest version (version 0: none set; loopback, private, link-local and other internal addresses are refused)." })
  current(@Caller() caller: Principal) {
    return this.egress.current(caller.tenantId);
  }

  @Put()
  @Can('update', 'Egress')
  @ApiOperation({
    summary:
      'Replace the egress allow-list with a new version: the destinations tool documents and tool calls may reach although they are internal addresses. Entries: a host name (any port), host:port, an IP address, [IPv6]:port, or a CIDR block.',
  })
  @ApiProblems(413, 415, 422, 503)
  update(@ValidBody(egressAllowListSchema) body: EgressAllowList, @Caller() caller: Principal) {
    return this.egress.update(caller, body.allow);
  }
}

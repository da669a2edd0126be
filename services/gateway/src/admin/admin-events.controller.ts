import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { ApiProblems, apiKeyHeaderScheme, bearerScheme } from '../http/openapi.js';
import { ValidQuery } from '../http/valid-query.js';
import { AdminLog } from './admin-log.js';

const pageQuery = z.strictObject({
  fromVersion: z.coerce.number().int().min(0).default(0).describe('The streamVersion to start from; the previous page says the next one.'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

@ApiTags('admin-events')
@ApiBearerAuth(bearerScheme)
@ApiSecurity(apiKeyHeaderScheme)
@ApiProblems(401, 403)
@Controller('v1/admin-events')
export class AdminEventsController {
  constructor(private readonly adminLog: AdminLog) {}

  @Get()
  @Can('read', 'AdminEvent')
  @ApiOperation({
    summary: "Your tenant's administrative actions (tenant status, API keys, role mapping, secrets by name), oldest first, each as its full envelope: the admin part of the audit trail. Page with `fromVersion`.",
  })
  @ApiProblems(400)
  page(@ValidQuery(pageQuery) query: z.infer<typeof pageQuery>, @Caller() caller: Principal) {
    return this.adminLog.page(caller.tenantId, query.fromVersion, query.limit);
  }
}

import { envelopeSchema } from '@agent-orchestrator/contracts';
import { Controller, Get } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidQuery } from '../http/valid-query.js';
import { AdminLog, type AdminEventsPage } from './admin-log.js';

const pageQuery = z.strictObject({
  fromVersion: z.coerce.number().int().min(0).default(0).describe('The streamVersion to start from; the previous page says the next one.'),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('How many events at most (default 100).'),
});

const adminEventsPage = z.object({
  items: z.array(envelopeSchema).describe('Each event of the admin stream as stored, `data` as its catalog type and schemaVersion define it.'),
  nextFromVersion: z.number().int().min(0).nullable().describe('The fromVersion of the next page; null when this page reached the end.'),
});

@AuthenticatedApi('admin-events')
@Controller('v1/admin-events')
export class AdminEventsController {
  constructor(private readonly adminLog: AdminLog) {}

  @Get()
  @Can('read', 'AdminEvent')
  @ApiOperation({
    operationId: 'listAdminEvents',
    summary: "Your tenant's administrative actions (tenant status, API keys, role mapping, secrets by name), oldest first, each as its full envelope: the admin part of the audit trail. Page with `fromVersion`.",
  })
  @Returns(200, adminEventsPage)
  @ApiProblems(400)
  page(@ValidQuery(pageQuery) query: z.infer<typeof pageQuery>, @Caller() caller: Principal): Promise<AdminEventsPage> {
    return this.adminLog.page(caller.tenantId, query.fromVersion, query.limit);
  }
}

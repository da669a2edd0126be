import { Controller, Get, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { Can } from '../auth/access.guard.js';
import { PlatformCaller, type PlatformAdminPrincipal } from '../auth/platform-admin.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { ValidQuery } from '../http/valid-query.js';
import { AlertWebhooks } from './alert-webhooks.js';
import { alert, listQuery, webhook, webhookBody } from './alerts.controller.js';
import { Alerts } from './alerts.js';

/** The platform's own alerts: of no tenant, read and routed by the platform admin alone (a tenant's key is refused, whatever its roles). */
@AuthenticatedApi('alerts')
@Controller('v1/platform/alerts')
export class PlatformAlertsController {
  constructor(private readonly alerts: Alerts) {}

  @Get()
  @Can('read', 'PlatformAlert')
  @ApiOperation({ operationId: 'listPlatformAlerts', summary: "The platform's own alerts, newest first (platform admin only): projections stalled, dead letters of no tenant growing. No tenant's alert is listed here." })
  @Returns(200, z.object({ items: z.array(alert) }))
  @ApiProblems(400, 403)
  list(@ValidQuery(listQuery) query: z.infer<typeof listQuery>) {
    return this.alerts.listPlatform(query);
  }
}

@AuthenticatedApi('alerts')
@ApiProblems(503)
@Controller('v1/platform/alert-webhooks')
export class PlatformAlertWebhooksController {
  constructor(private readonly webhooks: AlertWebhooks) {}

  @Get()
  @Can('read', 'PlatformAlertWebhook')
  @ApiOperation({ operationId: 'getPlatformAlertWebhook', summary: "The platform's alert webhook (platform admin only): its URL and when it was set; never its secret." })
  @Returns(200, webhook)
  @ApiProblems(403, 404)
  get() {
    return this.webhooks.getPlatform();
  }

  @Put()
  @Can('update', 'PlatformAlertWebhook')
  @ApiOperation({
    operationId: 'setPlatformAlertWebhook',
    summary:
      "Set the platform's alert webhook (platform admin only): each platform alert is POSTed there as a tenant's are to theirs, signed with `X-AO-Signature`, retried with backoff, through the egress guard (only EGRESS_ALLOW opens an internal address to it).",
  })
  @Returns(200, webhook.extend({ secret: z.string().optional().describe('The signing secret drawn for you: shown this once.') }))
  @ApiProblems(400, 403, 413, 415, 422)
  set(@ValidBody(webhookBody) body: z.infer<typeof webhookBody>, @PlatformCaller() caller: PlatformAdminPrincipal) {
    return this.webhooks.setPlatform(caller, body);
  }
}

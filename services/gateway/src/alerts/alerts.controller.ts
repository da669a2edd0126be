import { alertRules, alertSeverities, alertWebhookSettingSchema } from '@agent-orchestrator/contracts';
import { Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { Returns, ReturnsNothing, instant } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { ValidQuery } from '../http/valid-query.js';
import { AlertWebhooks } from './alert-webhooks.js';
import { Alerts } from './alerts.js';

const alertStatus = z.enum(['open', 'resolved']);
export const listQuery = z.strictObject({
  status: alertStatus.optional().describe('Only open or only resolved alerts; both when absent.'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const alert = z.object({
  alertId: z.string(),
  tenantId: z.string(),
  key: z.string().describe('The rule and what it is about (e.g. `approval-overdue:<approval id>`): one open alert per key at a time.'),
  streamId: z.string(),
  rule: z.enum(alertRules),
  severity: z.enum(alertSeverities),
  summary: z.string(),
  subject: z.record(z.string(), z.union([z.string(), z.number()])),
  status: alertStatus,
  raisedAt: instant,
  resolvedAt: instant.nullable(),
});

export const webhookBody = z.strictObject({
  url: alertWebhookSettingSchema.shape.url.describe('Where each alert is POSTed as JSON. An internal address (loopback, private, link-local) is refused unless your egress allow-list names it.'),
  secret: alertWebhookSettingSchema.shape.secret.optional().describe('The signing secret; one is drawn and returned once when absent.'),
});
export const webhook = z.object({ url: z.string(), updatedAt: z.iso.datetime() });

@AuthenticatedApi('alerts')
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: Alerts) {}

  @Get()
  @Can('read', 'Alert')
  @ApiOperation({ operationId: 'listAlerts', summary: "Your tenant's alerts, newest first: approvals past their SLA, dead letters piling up, budgets at 50/80/100 %; open until the condition clears." })
  @Returns(200, z.object({ items: z.array(alert) }))
  @ApiProblems(400)
  list(@ValidQuery(listQuery) query: z.infer<typeof listQuery>, @Caller() caller: Principal) {
    return this.alerts.list(caller.tenantId, query);
  }
}

@AuthenticatedApi('alerts')
@ApiProblems(503)
@Controller('v1/alert-webhooks')
export class AlertWebhooksController {
  constructor(private readonly webhooks: AlertWebhooks) {}

  @Get()
  @Can('read', 'AlertWebhook')
  @ApiOperation({ operationId: 'getAlertWebhook', summary: "Your tenant's alert webhook (admin): its URL and when it was set; never its secret." })
  @Returns(200, webhook)
  @ApiProblems(404)
  get(@Caller() caller: Principal) {
    return this.webhooks.get(caller.tenantId);
  }

  @Put()
  @Can('update', 'AlertWebhook')
  @ApiOperation({
    operationId: 'setAlertWebhook',
    summary:
      'Set the alert webhook (admin). Each alert is POSTed as JSON with `X-AO-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, retried with backoff, at least once (deduplicate on `X-AO-Delivery`).',
  })
  @Returns(200, webhook.extend({ secret: z.string().optional().describe('The signing secret drawn for you: shown this once.') }))
  @ApiProblems(400, 413, 415, 422)
  set(@ValidBody(webhookBody) body: z.infer<typeof webhookBody>, @Caller() caller: Principal) {
    return this.webhooks.set(caller, body);
  }

  @Delete()
  @HttpCode(204)
  @Can('revoke', 'AlertWebhook')
  @ApiOperation({ operationId: 'deleteAlertWebhook', summary: 'Remove the alert webhook (admin): alerts are then only listed and shown live.' })
  @ReturnsNothing(204, { description: 'Removed' })
  @ApiProblems(404)
  async remove(@Caller() caller: Principal): Promise<void> {
    await this.webhooks.remove(caller);
  }
}

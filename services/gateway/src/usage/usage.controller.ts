import { usageGroupings } from '@agent-orchestrator/read-models';
import { Controller, Get, Req } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Can } from '../auth/access.guard.js';
import { scopedCallerOf } from '../auth/scoped-caller.js';
import { Returns, instant } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidQuery } from '../http/valid-query.js';
import { Usage } from './usage.js';

const tenant = z.string().min(1).max(100).describe("Only for the platform admin: one tenant's usage (without it, every tenant's).");
const dayOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

const usageQuery = z.strictObject({
  from: dayOrInstant.optional().describe('Calls made at or after this instant (a date alone: its UTC midnight). Default: 30 days before `to`.'),
  to: dayOrInstant.optional().describe('Calls made before this instant (a date alone: its UTC midnight). Default: now. At most 367 days after `from`.'),
  groupBy: z.enum(usageGroupings).default('day').describe('What to sum by; `tool` is the tool the model turn asked for (null: none), `day` the UTC day.'),
  tenant: tenant.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('The most groups listed, costliest first; the totals count them all.'),
});

const dashboardQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(90).default(14).describe('The window, in UTC days up to today: sessions by status, step latency, top agents and tools.'),
  tenant: tenant.optional(),
});

const totals = { calls: z.number().int(), inputTokens: z.number().int(), outputTokens: z.number().int(), costUsd: z.number().describe('USD, priced by the price version in effect at each call.') };
const usageReport = z.object({
  from: instant,
  to: instant,
  groupBy: z.enum(usageGroupings),
  rows: z.array(z.object({ key: z.string().nullable(), ...totals })).describe('Costliest first.'),
  totals: z.object(totals),
  truncated: z.boolean().describe('More groups matched than `limit`.'),
});
const rankedByCost = z.array(z.object({ name: z.string(), costUsd: z.number(), calls: z.number().int() }));
const rankedByFailures = z.array(z.object({ name: z.string(), failures: z.number().int() }));
const dashboard = z.object({
  generatedAt: instant,
  days: z.number().int(),
  sessionsByStatus: z.array(z.object({ day: z.string(), status: z.string(), count: z.number().int() })).describe('Sessions started each UTC day, by their status now.'),
  stepLatency: z.object({ steps: z.number().int(), p50Seconds: z.number().nullable(), p95Seconds: z.number().nullable() }).describe('Steps completed in the window, from scheduled to completed.'),
  approvals: z.object({ pending: z.number().int(), oldestPendingSeconds: z.number().int().nullable() }),
  deadLetters: z.object({ pending: z.number().int() }).describe('Dead letters and parked calls waiting for an operator.'),
  cost: z.object({ todayUsd: z.number(), monthUsd: z.number() }).describe('UTC day and month.'),
  topAgents: z.object({ byCost: rankedByCost, byFailures: rankedByFailures.describe('Agent runs that failed.') }),
  topTools: z.object({ byCost: rankedByCost.describe('The model turns that asked for the tool.'), byFailures: rankedByFailures.describe('Tool calls answered with a failure.') }),
});

@AuthenticatedApi('usage')
@Controller('v1')
export class UsageController {
  constructor(private readonly usage: Usage) {}

  @Get('usage')
  @Can('read', 'Usage')
  @ApiOperation({ operationId: 'getUsage', summary: "Model calls' tokens and cost summed by tenant, agent, model, tool, day or session over a time range (admin, operator, auditor; the platform admin: every tenant's)." })
  @Returns(200, usageReport)
  @ApiProblems(400, 403)
  read(@ValidQuery(usageQuery) query: z.infer<typeof usageQuery>, @Req() request: FastifyRequest) {
    return this.usage.usage(scopedCallerOf(request), query);
  }

  @Get('dashboard')
  @Can('read', 'Usage')
  @ApiOperation({
    operationId: 'getDashboard',
    summary: 'Sessions by status over time, step latency p50/p95, pending approvals and their age, dead letters, cost today and this month, top agents and tools by cost and by failures (admin, operator, auditor; the platform admin: every tenant).',
  })
  @Returns(200, dashboard)
  @ApiProblems(400, 403)
  dashboard(@ValidQuery(dashboardQuery) query: z.infer<typeof dashboardQuery>, @Req() request: FastifyRequest) {
    return this.usage.dashboard(scopedCallerOf(request), query);
  }
}

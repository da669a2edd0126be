import { analysisFindingsSchema, analysisInputSchema, usageSchema } from '@agent-orchestrator/contracts';
import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { Returns, instant } from '../http/answers.js';
import { ValidBody } from '../http/valid-body.js';
import { Sessions } from './sessions.js';

const requestedAnalysis = z.object({
  analysisId: z.string().describe('The analysis: it shows in GET /v1/sessions/{sessionId}/analysis once the Analyst starts.'),
  sessionId: z.string(),
  status: z.literal('requested'),
});

const sessionAnalysis = z.object({
  analysisId: z.string(),
  status: z
    .enum(['running', 'recorded', 'failed', 'refused'])
    .describe("running until the findings (recorded), the reason there are none (failed), or the budget that refused the Analyst's model call (refused: no call was made) are in the log."),
  requestedBy: z.string(),
  startedAt: instant,
  endedAt: instant.nullable(),
  analyst: z.string(),
  model: z.string(),
  input: analysisInputSchema.describe("Exactly what the model was given: the session's trace, redacted, summarised when too long (summarised: true)."),
  findings: analysisFindingsSchema.nullable().describe('What happened, where time and money went, why it failed, what to change; null unless recorded.'),
  reason: z.string().nullable().describe('Why the analysis failed or was refused; null unless failed or refused.'),
  budgetId: z.string().nullable().describe("The budget (the tenant's, or the Analyst agent's) the model call would have crossed; null unless refused."),
  usage: usageSchema.nullable().describe("The model's tokens and cost; null while running, and when refused (no model call was made)."),
});
const sessionAnalyses = z.object({ items: z.array(sessionAnalysis).describe('Newest first.') });

/** Nothing to say yet: the route takes an empty object (or no body), so a later option is not a breaking change. */
const analyzeBody = z.strictObject({});

const sessionIdParam = ApiParam({ name: 'sessionId', description: 'The session to analyse.', schema: { type: 'string' } });

/**
 * "Analyze with an LLM". Asking spends model tokens as running a session does, so the roles that
 * may start sessions (admin, operator) may ask; an approver or viewer reads the session and so
 * reads its analyses, but cannot spend on them.
 */
@AuthenticatedApi('sessions')
@Controller('v1/sessions')
export class SessionAnalysisController {
  constructor(private readonly sessions: Sessions) {}

  @Post(':sessionId/analysis')
  @HttpCode(202)
  @Can('create', 'Session')
  @ApiOperation({
    operationId: 'analyzeSession',
    summary:
      "Analyze with an LLM: the Analyst agent reads the session's redacted trace and records what happened, where time and money went, why it failed and what to change. Runs asynchronously; follow it with GET. Its model call counts against the tenant's budgets and the Analyst agent's (not the analysed session's): one that would cross a budget is not made and the analysis ends refused, naming the budget.",
  })
  @sessionIdParam
  @Returns(202, requestedAnalysis, { headers: { Location: { description: 'The analyses: /v1/sessions/{sessionId}/analysis.', schema: { type: 'string' } } } })
  @ApiProblems(404, 413, 415, 422, 503)
  async analyze(@Param('sessionId') sessionId: string, @ValidBody(analyzeBody, { optional: true }) _body: z.infer<typeof analyzeBody>, @Caller() caller: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const requested = await this.sessions.analyze(caller, sessionId);
    reply.header('location', `/v1/sessions/${sessionId}/analysis`);
    return requested;
  }

  @Get(':sessionId/analysis')
  @Can('read', 'Session')
  @ApiOperation({ operationId: 'listSessionAnalyses', summary: "The session's analyses, newest first: running, or with the Analyst's findings and the model's usage, or why it failed, or the budget that refused it." })
  @sessionIdParam
  @Returns(200, sessionAnalyses)
  @ApiProblems(404)
  analyses(@Param('sessionId') sessionId: string, @Caller() caller: Principal) {
    return this.sessions.analyses(caller.tenantId, sessionId);
  }
}

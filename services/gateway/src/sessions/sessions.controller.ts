import { sessionConstraintsSchema, sessionStatuses } from '@agent-orchestrator/contracts';
import { SessionQueryError, maxGoalSearchLength, maxPageSize } from '@agent-orchestrator/read-models';
import { Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { GatewayError } from '../errors.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { Returns } from '../http/answers.js';
import { ValidBody } from '../http/valid-body.js';
import { ValidQuery } from '../http/valid-query.js';
import { cancelledSession, eventPage, modelCalls, session, sessionPage, sessionStreamsAnswer, sessionSummary, startedSession } from './session-answers.js';
import { Sessions } from './sessions.js';

const startSessionBody = z.strictObject({
  goal: z.string().trim().min(1).max(20_000).describe('What the agents should achieve.'),
  context: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Facts for the agents. `modelScript` or `modelFixture` drive the scripted model (see the README).'),
  constraints: sessionConstraintsSchema.optional().describe('Budgets: maxSteps, maxTokens, maxCostUsd, deadline (ISO, UTC), allowedTools.'),
});
type StartSessionBody = z.infer<typeof startSessionBody>;

const cancelBody = z.strictObject({ reason: z.string().trim().min(1).max(4000).optional() });

const listQuery = z.strictObject({
  status: z.enum(sessionStatuses).optional(),
  startedAfter: z.iso.datetime({ offset: true }).optional(),
  startedBefore: z.iso.datetime({ offset: true }).optional(),
  q: z.string().trim().min(1).max(maxGoalSearchLength).optional().describe('Sessions whose goal contains this text, ignoring case (`%` and `_` are plain characters).'),
  limit: z.coerce.number().int().min(1).max(maxPageSize).default(20),
  cursor: z.string().max(500).optional(),
});

const eventsQuery = z.strictObject({
  fromVersion: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;
const sessionIdParam = ApiParam({ name: 'sessionId', description: 'The id POST /v1/sessions answered with.', schema: { type: 'string' } });

@AuthenticatedApi('sessions')
@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: Sessions) {}

  @Post()
  @HttpCode(202)
  @Can('create', 'Session')
  @ApiOperation({ operationId: 'startSession', summary: 'Submit a goal. The session starts asynchronously; follow it with GET, the events page or the live WebSocket.' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key and body: the same session. Same key, other body: 409. 1 to 255 visible ASCII characters.', schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' } })
  @Returns(202, startedSession, {
    description: 'Accepted',
    headers: {
      Location: { description: 'The session: /v1/sessions/{sessionId}.', schema: { type: 'string' } },
      'Idempotent-Replayed': { description: '"true" when an earlier request with this Idempotency-Key and body started the session.', schema: { type: 'string', enum: ['true'] } },
    },
  })
  @ApiProblems(400, 409, 413, 415, 422, 503)
  async start(
    @ValidBody(startSessionBody) body: StartSessionBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Caller() caller: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<z.input<typeof startedSession>> {
    if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
      throw new GatewayError('InvalidRequest', 'The Idempotency-Key header must be 1 to 255 visible ASCII characters (a UUID is a good choice).');
    }
    const { sessionId, status, replayed } = await this.sessions.start(caller, body, idempotencyKey);
    reply.header('location', `/v1/sessions/${sessionId}`);
    if (replayed) reply.header('idempotent-replayed', 'true');
    return { sessionId, status };
  }

  @Get()
  @Can('read', 'SessionLog')
  @ApiOperation({ operationId: 'listSessions', summary: "Your tenant's sessions, newest first; filter by status, start time and words of the goal; page with `cursor`." })
  @Returns(200, sessionPage)
  @ApiProblems(400)
  async list(@ValidQuery(listQuery) query: z.infer<typeof listQuery>, @Caller() caller: Principal) {
    const { status, startedAfter, startedBefore, q, limit, cursor } = query;
    try {
      return await this.sessions.list(caller.tenantId, {
        limit,
        ...(status === undefined ? {} : { status }),
        ...(startedAfter === undefined ? {} : { startedAfter: new Date(startedAfter) }),
        ...(startedBefore === undefined ? {} : { startedBefore: new Date(startedBefore) }),
        ...(q === undefined ? {} : { goalContains: q }),
        ...(cursor === undefined ? {} : { cursor }),
      });
    } catch (error) {
      if (error instanceof SessionQueryError) throw new GatewayError('InvalidRequest', error.message);
      throw error;
    }
  }

  @Get('summary')
  @Can('read', 'SessionLog')
  @ApiOperation({ operationId: 'getSessionSummary', summary: "How many of your tenant's sessions are in each status, as the listing's status filter names them." })
  @Returns(200, sessionSummary)
  summary(@Caller() caller: Principal) {
    return this.sessions.summary(caller.tenantId);
  }

  @Get(':sessionId')
  @Can('read', 'Session')
  @ApiOperation({ operationId: 'getSession', summary: 'A session: status, plan, steps, results, usage and cost so far.' })
  @sessionIdParam
  @Returns(200, session, { description: 'The session; only sessionId, status, goal and startedAt while it is queued and not yet in the read model.' })
  @ApiProblems(404)
  get(@Param('sessionId') sessionId: string, @Caller() caller: Principal) {
    return this.sessions.get(caller.tenantId, sessionId);
  }

  @Get(':sessionId/events')
  @Can('read', 'SessionLog')
  @ApiOperation({ operationId: 'listSessionEvents', summary: "The session's log, oldest first, each event as its full envelope; page with `fromVersion`." })
  @sessionIdParam
  @Returns(200, eventPage)
  @ApiProblems(400, 404)
  events(@Param('sessionId') sessionId: string, @ValidQuery(eventsQuery) query: z.infer<typeof eventsQuery>, @Caller() caller: Principal) {
    const { fromVersion, limit } = query;
    return this.sessions.events(caller.tenantId, sessionId, fromVersion, limit);
  }

  @Get(':sessionId/streams')
  @Can('read', 'SessionLog')
  @ApiOperation({
    operationId: 'listSessionStreams',
    summary:
      "Every stream of the session's work as stored, with each event's hash and its predecessor's, to check the chain: the session's own, its agent runs (model responses, tool call requests), each call's policy check and answer, and its approvals.",
  })
  @sessionIdParam
  @Returns(200, sessionStreamsAnswer)
  @ApiProblems(404)
  streams(@Param('sessionId') sessionId: string, @Caller() caller: Principal) {
    return this.sessions.streams(caller.tenantId, sessionId);
  }

  @Get(':sessionId/model-calls')
  @Can('read', 'Session')
  @ApiOperation({ operationId: 'listModelCalls', summary: 'Every model response the session paid for, oldest first: run, turn, model, tokens and cost.' })
  @sessionIdParam
  @Returns(200, modelCalls)
  @ApiProblems(404)
  modelCalls(@Param('sessionId') sessionId: string, @Caller() caller: Principal) {
    return this.sessions.modelCalls(caller.tenantId, sessionId);
  }

  @Post(':sessionId/cancel')
  @HttpCode(202)
  @Can('cancel', 'Session')
  @ApiOperation({ operationId: 'cancelSession', summary: 'Ask for the session to be cancelled. A session that already ended stays as it ended.' })
  @sessionIdParam
  @Returns(202, cancelledSession, { description: 'Asked; the session ends with SessionCancelled unless it ends otherwise first.' })
  @ApiProblems(404, 413, 415, 422, 503)
  async cancel(@Param('sessionId') sessionId: string, @ValidBody(cancelBody, { optional: true }) body: z.infer<typeof cancelBody>, @Caller() caller: Principal): Promise<z.input<typeof cancelledSession>> {
    await this.sessions.cancel(caller, sessionId, body.reason);
    return { sessionId };
  }
}

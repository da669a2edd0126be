import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { Returns } from '../http/answers.js';
import { ValidBody } from '../http/valid-body.js';
import { Sessions } from './sessions.js';

const forkBody = z.strictObject({
  atVersion: z.number().int().describe("The version of the original's session log the fork copies up to (inclusive); GET /v1/sessions/{sessionId}/events lists them."),
  modelScript: z.unknown().optional().describe('A scripted model script for the fork, in place of the original\'s (see the README).'),
  modelFixture: z.string().trim().min(1).max(200).optional().describe('A named model fixture for the fork, in place of the original\'s; not with modelScript.'),
  agent: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}@[1-9][0-9]{0,8}$/)
    .optional()
    .describe('`<name>@<version>`: one of your agent definitions, pinned in the fork over the original\'s.'),
  model: z.string().trim().min(1).max(200).optional().describe('The model every run of the fork asks for (a provider that cannot honour it, such as the scripted model, ignores it).'),
  policyVersion: z.number().int().min(1).optional().describe("A version of your tool policy (GET /v1/policies/versions) the fork's tool calls are checked against, in place of the current one."),
});

const forkedSession = z.object({ sessionId: z.string().describe('The fork: a session like any other, with forkedFrom set.') });

const row = <T extends z.ZodType>(item: T) => z.object({ key: z.string(), a: item.nullable(), b: item.nullable(), same: z.boolean() });
const about = z.object({ sessionId: z.string(), status: z.string(), forkedFrom: z.object({ sessionId: z.string(), version: z.number().int() }).nullable() });
const sessionDiff = z.object({
  a: about,
  b: about,
  plan: z.array(row(z.object({ stepId: z.string(), title: z.string(), agent: z.string(), dependsOn: z.array(z.string()) }))),
  steps: z.array(row(z.object({ stepId: z.string(), title: z.string(), agent: z.string(), status: z.string(), output: z.unknown() }))),
  toolCalls: z.array(
    row(z.object({ tool: z.string(), operation: z.string().nullable(), arguments: z.unknown(), outcome: z.enum(['completed', 'failed', 'pending']), result: z.string().nullable() })),
  ),
  approvals: z.array(row(z.object({ tool: z.string(), decision: z.enum(['pending', 'granted', 'rejected', 'expired']), approver: z.string().nullable() }))),
  usage: row(z.object({ inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() })),
  log: z.array(row(z.object({ version: z.number().int(), type: z.string(), data: z.unknown() }))).describe("The session streams' events side by side, a fork's SessionForked and the requests it asked again left out."),
  firstDivergence: z
    .object({ section: z.enum(['plan', 'steps', 'toolCalls', 'approvals', 'usage', 'log']), key: z.string(), a: z.unknown(), b: z.unknown() })
    .nullable()
    .describe('The first row that differs, sections in the order above; null when the two are alike.'),
});

@AuthenticatedApi('sessions')
@Controller('v1/sessions')
export class SessionForksController {
  constructor(private readonly sessions: Sessions) {}

  @Post(':sessionId/fork')
  @HttpCode(202)
  @Can('create', 'Session')
  @ApiOperation({
    operationId: 'forkSession',
    summary:
      "Fork a session at a version of its log: a new session starts with the original's events up to it and goes on live from there with the overrides (model script or fixture, agent version, model, policy version). The original is untouched.",
  })
  @ApiParam({ name: 'sessionId', description: 'The session to fork.', schema: { type: 'string' } })
  @Returns(202, forkedSession, { headers: { Location: { description: 'The fork: /v1/sessions/{sessionId}.', schema: { type: 'string' } } } })
  @ApiProblems(400, 404, 413, 415, 422, 503)
  async fork(@Param('sessionId') sessionId: string, @ValidBody(forkBody) body: z.infer<typeof forkBody>, @Caller() caller: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const fork = await this.sessions.fork(caller, sessionId, body);
    reply.header('location', `/v1/sessions/${fork.sessionId}`);
    return fork;
  }

  @Get(':sessionId/diff/:otherSessionId')
  @Can('read', 'Session')
  @ApiOperation({ operationId: 'diffSessions', summary: 'Two of your sessions side by side (a fork and its original, say): plan, steps, tool calls, approvals, tokens and cost, and where they first differ.' })
  @ApiParam({ name: 'sessionId', description: 'The left side.', schema: { type: 'string' } })
  @ApiParam({ name: 'otherSessionId', description: 'The right side.', schema: { type: 'string' } })
  @Returns(200, sessionDiff)
  @ApiProblems(404)
  diff(@Param('sessionId') sessionId: string, @Param('otherSessionId') otherSessionId: string, @Caller() caller: Principal) {
    return this.sessions.diff(caller.tenantId, sessionId, otherSessionId);
  }
}

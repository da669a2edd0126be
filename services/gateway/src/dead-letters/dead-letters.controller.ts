import { deadLetterSources, deadLetterStatuses } from '@agent-orchestrator/read-models';
import { Controller, Get, Param, Req } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Can } from '../auth/access.guard.js';
import { scopedCallerOf } from '../auth/scoped-caller.js';
import { Returns, instant } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidQuery } from '../http/valid-query.js';
import { DeadLetters } from './dead-letters.js';

const name = z.string().min(1).max(300);

const listQuery = z.strictObject({
  consumer: name.optional().describe('The consumer group that failed, as services name it (without the deployment\'s topic prefix), e.g. `tool-adapters`.'),
  code: name.optional().describe('The error code of the failure, e.g. `Rejected`.'),
  tool: name.optional().describe('The tool the failed message was about.'),
  tenant: name.optional().describe("Only for the platform admin: one tenant's dead letters."),
  since: z.iso.datetime({ offset: true }).optional().describe('Last seen at or after this instant.'),
  until: z.iso.datetime({ offset: true }).optional().describe('Last seen before this instant.'),
  status: z.enum(deadLetterStatuses).optional(),
  cursor: z.string().min(1).max(1000).optional().describe('The nextCursor of the previous page, with the same filters.'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const deadLetter = z.object({
  id: z.string(),
  source: z.enum(deadLetterSources).describe('dead-letter: a message a consumer group could not handle; parked-call: a tool call whose retries ran out, waiting for an operator.'),
  tenantId: z.string().nullable().describe('null when the message could not be decoded (only the platform admin sees those).'),
  consumer: z.string(),
  errorCode: z.string(),
  reason: z.string(),
  attempts: z.number().int().describe('Attempts summed over every time it failed.'),
  sourceTopic: z.string().nullable(),
  sourcePartition: z.number().int().nullable(),
  sourceOffset: z.string().nullable(),
  sessionId: z.string().nullable(),
  tool: z.string().nullable(),
  messageType: z.string().nullable().describe('The event or command type the message carries.'),
  firstSeen: instant,
  lastSeen: instant,
  status: z.enum(deadLetterStatuses),
  redriveCount: z.number().int(),
  discardReason: z.string().nullable(),
  actedBy: z.string().nullable().describe('The operation that last redrove or discarded it.'),
  actedAt: instant.nullable(),
  repeatsSideEffect: z.boolean().nullable().describe('Whether a redrive would run a tool operation whose method is not safe; null when the message does not tell.'),
  sideEffectNote: z.string().nullable(),
});

const decodedValue = z.discriminatedUnion('encoding', [
  z.object({ encoding: z.literal('json'), json: z.unknown() }),
  z.object({ encoding: z.literal('base64'), base64: z.string(), note: z.string() }),
  z.object({ encoding: z.literal('none'), note: z.string() }),
]);

const deadLetterDetail = deadLetter.extend({
  message: z.object({
    key: z.string().nullable(),
    headers: z.record(z.string(), z.string()).describe('As consumed, the dead-letter headers (dlq-*) included.'),
    value: decodedValue.describe('The value: the JSON it holds, its bytes in base64 when it is not JSON, or none.'),
  }),
});

const deadLetterPage = z.object({
  items: z.array(deadLetter),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page, with the same filters; null on the last page.'),
});

@AuthenticatedApi('dead-letters')
@Controller('v1/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLetters) {}

  @Get()
  @Can('read', 'DeadLetter')
  @ApiOperation({ operationId: 'listDeadLetters', summary: 'Dead letters and parked tool calls, newest sighting first: the consumer group that failed, why, where the message came from (operator, admin, platform admin).' })
  @Returns(200, deadLetterPage)
  @ApiProblems(400, 403)
  list(@ValidQuery(listQuery) query: z.infer<typeof listQuery>, @Req() request: FastifyRequest) {
    return this.deadLetters.list(scopedCallerOf(request), query);
  }

  @Get(':id')
  @Can('read', 'DeadLetter')
  @ApiOperation({ operationId: 'getDeadLetter', summary: 'One dead letter with the original key, headers and value, decoded.' })
  @ApiParam({ name: 'id', description: 'The dead letter id, as the list gave it.', schema: { type: 'string' } })
  @Returns(200, deadLetterDetail)
  @ApiProblems(404)
  get(@Param('id') id: string, @Req() request: FastifyRequest) {
    return this.deadLetters.get(scopedCallerOf(request), id);
  }
}

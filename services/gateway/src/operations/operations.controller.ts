import { createParamDecorator, Controller, Get, HttpCode, Param, Post, Res, type ExecutionContext } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { Can, principalOf } from '../auth/access.guard.js';
import { platformCallerOf } from '../auth/platform-admin.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { ValidQuery } from '../http/valid-query.js';
import { abortOperationBody, listItemsQuery, listOperationsQuery, operationAccepted, operationItemPage, operationPage, operationRecord, planOperationBody, type PlanOperationBody } from './operation-schemas.js';
import { Operations, type OperationCaller } from './operations.js';
import type { OperationRecord } from '@agent-orchestrator/read-models';

/** The caller as operations see it: a tenant's key or token, or the platform admin's key. */
const OperationsCaller = createParamDecorator((_: unknown, context: ExecutionContext): OperationCaller => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const platform = platformCallerOf(request);
  if (platform) return { kind: 'platform', subject: `platform-admin:${platform.keyId}` };
  const principal = principalOf(request);
  if (!principal) throw new Error('an operations route ran without an authenticated caller');
  return { kind: 'tenant', tenantId: principal.tenantId, subject: principal.subject };
});

const idParam = ApiParam({ name: 'id', description: 'The operation id POST /v1/operations answered with.', schema: { type: 'string', format: 'uuid' } });
const location = { Location: { description: 'The operation: /v1/operations/{id}.', schema: { type: 'string' } } };

@AuthenticatedApi('operations')
@Controller('v1/operations')
export class OperationsController {
  constructor(private readonly operations: Operations) {}

  @Post()
  @HttpCode(201)
  @Can('create', 'Operation')
  @ApiOperation({
    operationId: 'planOperation',
    summary:
      'Plan a bulk operation (redrive, discard, projection rebuild, quarantine retry, session replay) over the items a filter matches: answers with the exact dry run (every matched item, counts by consumer, code, tool and tenant, how many repeat a side effect). Nothing is acted on until POST /v1/operations/{id}/confirm. A match that takes longer than a few seconds answers 202; a refused plan (too many items, no source for the kind) is a 409 saying what to change.',
  })
  @Returns(201, operationRecord, { description: 'Planned: the dry run', headers: location })
  @ApiResponse({ status: 202, description: 'Accepted: still matching; follow it with GET /v1/operations/{id}', standardSchema: operationAccepted, headers: location })
  @ApiProblems(403, 409, 413, 415, 422, 503)
  async plan(@ValidBody(planOperationBody) body: PlanOperationBody, @OperationsCaller() caller: OperationCaller, @Res({ passthrough: true }) reply: FastifyReply) {
    const answer = await this.operations.plan(caller, body);
    const operationId = 'planned' in answer ? answer.planned.operationId : answer.accepted.operationId;
    reply.header('location', `/v1/operations/${operationId}`);
    if ('accepted' in answer) {
      reply.status(202);
      return answer.accepted as unknown as OperationRecord;
    }
    return answer.planned;
  }

  @Get()
  @Can('read', 'Operation')
  @ApiOperation({ operationId: 'listOperations', summary: 'Operations, newest first, with their status and progress: your tenant\'s, or every one for the platform admin.' })
  @Returns(200, operationPage)
  @ApiProblems(400)
  list(@ValidQuery(listOperationsQuery) query: z.infer<typeof listOperationsQuery>, @OperationsCaller() caller: OperationCaller) {
    return this.operations.list(caller, { limit: query.limit, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) });
  }

  @Get(':id')
  @Can('read', 'Operation')
  @ApiOperation({ operationId: 'getOperation', summary: 'One operation: its plan, status, progress (done of total, succeeded, failed, skipped) and ETA.' })
  @idParam
  @Returns(200, operationRecord)
  @ApiProblems(404)
  get(@Param('id') id: string, @OperationsCaller() caller: OperationCaller) {
    return this.operations.get(caller, id);
  }

  @Get(':id/items')
  @Can('read', 'Operation')
  @ApiOperation({ operationId: 'listOperationItems', summary: 'The planned items in the order they are acted on, each with its outcome and detail once it has one.' })
  @idParam
  @Returns(200, operationItemPage)
  @ApiProblems(400, 404)
  items(@Param('id') id: string, @ValidQuery(listItemsQuery) query: z.infer<typeof listItemsQuery>, @OperationsCaller() caller: OperationCaller) {
    return this.operations.items(caller, id, { limit: query.limit, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) });
  }

  @Post(':id/confirm')
  @HttpCode(200)
  @Can('update', 'Operation')
  @ApiOperation({ operationId: 'confirmOperation', summary: 'Run a planned operation over exactly the planned items, at its rate. 409 when it is not planned, or matched nothing.' })
  @idParam
  @Returns(200, operationRecord)
  @ApiProblems(404, 409, 503)
  confirm(@Param('id') id: string, @OperationsCaller() caller: OperationCaller) {
    return this.operations.act(caller, id, 'confirm');
  }

  @Post(':id/pause')
  @HttpCode(200)
  @Can('update', 'Operation')
  @ApiOperation({ operationId: 'pauseOperation', summary: 'Pause a running operation after the batch in hand; resume goes on from there.' })
  @idParam
  @Returns(200, operationRecord)
  @ApiProblems(404, 409, 503)
  pause(@Param('id') id: string, @OperationsCaller() caller: OperationCaller) {
    return this.operations.act(caller, id, 'pause');
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Can('update', 'Operation')
  @ApiOperation({ operationId: 'resumeOperation', summary: 'Resume a paused operation from its first item without an outcome.' })
  @idParam
  @Returns(200, operationRecord)
  @ApiProblems(404, 409, 503)
  resume(@Param('id') id: string, @OperationsCaller() caller: OperationCaller) {
    return this.operations.act(caller, id, 'resume');
  }

  @Post(':id/abort')
  @HttpCode(200)
  @Can('update', 'Operation')
  @ApiOperation({ operationId: 'abortOperation', summary: 'Stop a planned, running or paused operation for good; items without an outcome are never acted on.' })
  @idParam
  @Returns(200, operationRecord)
  @ApiProblems(404, 409, 422, 503)
  abort(@Param('id') id: string, @ValidBody(abortOperationBody, { optional: true }) body: z.infer<typeof abortOperationBody> | undefined, @OperationsCaller() caller: OperationCaller) {
    return this.operations.act(caller, id, 'abort', body?.reason);
  }
}

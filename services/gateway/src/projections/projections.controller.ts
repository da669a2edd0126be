import { Controller, Get } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { Can } from '../auth/access.guard.js';
import { Returns, instant } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { Projections } from './projections.js';

const operation = z.object({
  operationId: z.string(),
  kind: z.enum(['rebuild', 'retry-quarantined']),
  status: z.enum(['running', 'succeeded', 'failed']),
  done: z.number().int(),
  total: z.number().int().describe('What done counts up to: events of the log for a rebuild (an estimate while it runs), quarantined events for a retry.'),
  startedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().optional(),
  detail: z.string().optional(),
});

const projection = z.object({
  projection: z.string(),
  version: z.number().int(),
  position: z.string().nullable().describe('The last position of the log it applied (opaque).'),
  lag: z.number().int().describe('Events in the log after its position, counted up to a limit (lagCapped: at least this many).'),
  lagCapped: z.boolean(),
  eventsPerSecond: z.number(),
  lastAdvanceAt: instant.nullable().describe('When its checkpoint last moved.'),
  behindSince: instant.nullable(),
  quarantined: z.number().int().describe('Events it could not apply and passed over; `ao projections retry-quarantined` applies them again after a fix.'),
  heartbeatAt: instant.describe('When the process hosting it last reported.'),
  state: z.enum(['running', 'caught-up', 'stalled', 'rebuilding']).describe('stalled: behind and not advancing, or its process stopped reporting.'),
  operation: operation.nullable().describe('The last rebuild or retry run on it, with its progress.'),
});

@AuthenticatedApi('projections')
@Controller('v1/projections')
export class ProjectionsController {
  constructor(private readonly projections: Projections) {}

  @Get()
  @Can('read', 'Projection')
  @ApiOperation({
    operationId: 'listProjections',
    summary: "The read models' projections: position, lag, events per second, last advance, state, quarantined events, and the last rebuild or retry (operator, admin, platform admin; rebuilds and retries are operations of the platform admin).",
  })
  @Returns(200, z.object({ items: z.array(projection) }))
  @ApiProblems(403)
  list() {
    return this.projections.list();
  }
}

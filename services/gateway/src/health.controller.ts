import { Readiness, type ReadinessReport } from '@agent-orchestrator/service-host';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Public } from './auth/access.guard.js';
import { Returns } from './http/answers.js';

const readinessReport = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['consumer', 'projection', 'relay']),
      lag: z.number().int(),
      stalled: z.boolean(),
      quarantined: z.number().int(),
      // A relay process's: whether it publishes the log (leader) or waits to take over (standby).
      role: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
});

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(@Inject(Readiness) private readonly readiness: Readiness) {}

  @Get('healthz')
  @Public()
  @ApiOperation({ operationId: 'getHealth', summary: 'Liveness: the process answers HTTP. Needs no API key.' })
  @Returns(200, z.object({ status: z.literal('ok') }), { description: 'Alive' })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Public()
  @ApiOperation({
    operationId: 'getReadiness',
    summary:
      "Readiness: this process's consumers (lag) and projections (lag, quarantined events). 503 when one is behind and not advancing; quarantined events are listed but leave it ready. In dev mode it covers every service. Needs no API key.",
  })
  @Returns(200, readinessReport, { description: 'Ready' })
  @Returns(503, readinessReport, { description: 'A consumer or projection is stalled: the same report, with status "not_ready"' })
  async readyz(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await this.readiness.report();
    reply.status(report.status === 'ready' ? 200 : 503);
    return report;
  }
}

import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Public } from './auth/access.guard.js';

@ApiTags('health')
@Controller()
export class HealthController {
  @Get('healthz')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process answers HTTP. Needs no API key.' })
  @ApiResponse({ status: 200, description: 'Alive', standardSchema: z.object({ status: z.literal('ok') }) })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

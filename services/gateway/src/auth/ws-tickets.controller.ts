import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { GatewayError } from '../errors.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { fieldProblems } from '../http/valid-body.js';
import { Caller, Can, type Principal } from './access.guard.js';
import { WsTickets, ticketLifetimeSeconds, type IssuedTicket } from './ws-tickets.js';

const issuedTicket = z.object({
  ticket: z.string().describe('Pass it as ?ticket= on the live WebSocket. Single use.'),
  expiresAt: z.iso.datetime().describe(`${ticketLifetimeSeconds} seconds after it was issued.`),
});
const noBody = z.strictObject({});

@AuthenticatedApi('sessions')
@Controller('v1/ws-tickets')
export class WsTicketsController {
  constructor(private readonly tickets: WsTickets) {}

  @Post()
  @HttpCode(201)
  @Can('read', 'SessionLog')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: `A single-use ticket for the live WebSocket, valid ${ticketLifetimeSeconds} seconds, carrying your tenant, identity and roles: the way for browsers, so no API key or token lands in a URL.`,
  })
  @ApiResponse({ status: 201, description: 'Issued', standardSchema: issuedTicket })
  @ApiProblems(422)
  async issue(@Body() body: unknown, @Caller() caller: Principal): Promise<IssuedTicket> {
    const parsed = noBody.safeParse(body ?? {});
    if (!parsed.success) throw new GatewayError('InvalidBody', 'The request takes no body, or an empty object.', fieldProblems(parsed.error));
    return this.tickets.issue({ tenantId: caller.tenantId, subject: caller.subject, roles: caller.roles });
  }
}

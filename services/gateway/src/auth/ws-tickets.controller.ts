import { Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { Caller, Can, type Principal } from './access.guard.js';
import { WsTickets, ticketLifetimeSeconds, type IssuedTicket } from './ws-tickets.js';

const issuedTicket = z.object({
  ticket: z.string().describe('Pass it as ?ticket= on the live WebSocket. Single use.'),
  expiresAt: z.iso.datetime().describe(`${ticketLifetimeSeconds} seconds after it was issued.`),
});
/** The route takes no body, or an empty object. */
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
    operationId: 'createWsTicket',
    summary: `A single-use ticket for the live WebSocket, valid ${ticketLifetimeSeconds} seconds, carrying your tenant, identity and roles: the way for browsers, so no API key or token lands in a URL.`,
  })
  @Returns(201, issuedTicket, { description: 'Issued' })
  @ApiProblems(413, 415, 422)
  async issue(@ValidBody(noBody, { optional: true }) _body: z.infer<typeof noBody>, @Caller() caller: Principal): Promise<IssuedTicket> {
    return this.tickets.issue({ tenantId: caller.tenantId, subject: caller.subject, roles: caller.roles });
  }
}

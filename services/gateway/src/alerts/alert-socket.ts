import { platformAlertTenantId } from '@agent-orchestrator/contracts';
import type {} from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { principalOf, type Credentials } from '../auth/credentials.js';
import { presentedLiveCredential, type LiveQuery } from '../auth/live-credentials.js';
import type { WsTickets } from '../auth/ws-tickets.js';
import { GatewayError } from '../errors.js';
import { sendProblem } from '../http/problem-details.filter.js';
import { problemFor } from '../http/problem.js';
import type { RequestRateLimits } from '../http/rate-limits.js';
import { alertsOf, type SessionFeed } from '../sessions/session-feed.js';
import type { Tenancy } from '../tenants/tenancy.js';

interface LiveAlertsRequest {
  Querystring: LiveQuery;
}

/** Whose alerts a socket follows, decided before the upgrade. */
const followed = new WeakMap<FastifyRequest, string>();

/**
 * `GET /v1/alerts/live` upgraded to a WebSocket: each `AlertRaised` and `AlertResolved` of the
 * caller's tenant as it is appended, one text message `{"alert": <envelope>}` each; the platform
 * admin's key follows the platform's own alerts instead, and nothing else. The first message,
 * `{"following": {"scope": ...}}`, says the socket follows from then on; there is no catch-up, so
 * a client reads `GET /v1/alerts` (or `/v1/platform/alerts`) after it, and again after reconnecting. Authenticated as the session socket is (a ticket for browsers, or a credential);
 * the tenant comes only from that credential, and a refusal is answered before the upgrade.
 */
export function registerAlertSocket(
  fastify: FastifyInstance,
  deps: { credentials: Credentials; tickets: WsTickets; tenancy: Pick<Tenancy, 'platformAdmin' | 'tenantGate'>; feed: SessionFeed; logger: Logger; maxBodyBytes: number; rateLimits?: RequestRateLimits | undefined },
): void {
  const { credentials, tickets, tenancy, feed, logger } = deps;
  fastify.get<LiveAlertsRequest>(
    '/v1/alerts/live',
    {
      websocket: true,
      preValidation: async (request: FastifyRequest<LiveAlertsRequest>, reply: FastifyReply) => {
        try {
          const presented = presentedLiveCredential(request.headers, request.query);
          if ('credential' in presented && tenancy.platformAdmin.recognise(presented.credential)) {
            followed.set(request, platformAlertTenantId);
            return;
          }
          const caller = 'ticket' in presented ? principalOf(await tickets.redeem(presented.ticket)) : await credentials.authenticate(presented.credential);
          await tenancy.tenantGate.assertActive(caller.tenantId);
          if (!caller.ability.can('read', 'Alert')) throw new GatewayError('Forbidden', `The roles of this caller (${caller.roles.join(', ') || 'none'}) do not allow "read" on Alert.`);
          await deps.rateLimits?.admit(caller);
          followed.set(request, caller.tenantId);
        } catch (error) {
          if (problemFor(error, deps.maxBodyBytes).problem.status >= 500) logger.error({ err: error }, 'live alerts request failed');
          await sendProblem(request, reply, error, deps.maxBodyBytes);
        }
      },
    },
    (socket, request) => {
      const tenantId = followed.get(request);
      if (tenantId === undefined) {
        socket.close(1011, 'the caller was not established');
        return;
      }
      const unsubscribe = feed.subscribe(alertsOf(tenantId), (event) => {
        // The feed keys by the envelope's tenant, the one the observability service wrote; checked again so no other tenant's event can leave here.
        if (event.tenantId === tenantId && socket.readyState === socket.OPEN) socket.send(JSON.stringify({ alert: event }));
      });
      socket.on('close', unsubscribe);
      // Following from here: a client that reads the list after this message misses nothing.
      socket.send(JSON.stringify({ following: tenantId === platformAlertTenantId ? { scope: 'platform' } : { scope: 'tenant', tenantId } }));
    },
  );
}

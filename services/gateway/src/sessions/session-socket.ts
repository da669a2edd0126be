import { sessionStream, type EventEnvelope } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type {} from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { principalOf, type Credentials } from '../auth/credentials.js';
import { presentedLiveCredential, type LiveQuery } from '../auth/live-credentials.js';
import { platformAdminOutOfTenants } from '../auth/platform-admin.js';
import type { WsTickets } from '../auth/ws-tickets.js';
import type { Tenancy } from '../tenants/tenancy.js';
import { GatewayError } from '../errors.js';
import { sendProblem } from '../http/problem-details.filter.js';
import { problemFor } from '../http/problem.js';
import type { RequestRateLimits } from '../http/rate-limits.js';
import { approvalsOf, type SessionFeed } from './session-feed.js';
import type { Sessions } from './sessions.js';

const endings = new Set(['SessionCompleted', 'SessionFailed', 'SessionCancelled']);

interface LiveRequest {
  Params: { sessionId: string };
  Querystring: LiveQuery & { fromVersion?: string | string[] };
}

/**
 * `GET /v1/sessions/:sessionId/live` upgraded to a WebSocket: every event of the session, in
 * order, each as one text message `{"event": <envelope>}`, from `fromVersion` (default 0), then
 * live; after the session's last event the server closes with 1000. A client that lost the
 * connection reconnects with `fromVersion` = the last streamVersion it got + 1. Authentication
 * as for REST, or in the query for browsers, which cannot set headers on a WebSocket (see
 * presentedLiveCredential); a refused request is answered before the upgrade, as problem+json.
 */
export function registerSessionSocket(
  fastify: FastifyInstance,
  deps: { credentials: Credentials; tickets: WsTickets; tenancy: Pick<Tenancy, 'platformAdmin' | 'tenantGate'>; sessions: Sessions; store: EventStore; feed: SessionFeed; logger: Logger; maxBodyBytes: number; rateLimits?: RequestRateLimits | undefined },
): void {
  const { credentials, tickets, tenancy, sessions, store, feed, logger } = deps;
  fastify.get<LiveRequest>(
    '/v1/sessions/:sessionId/live',
    {
      websocket: true,
      preValidation: async (request: FastifyRequest<LiveRequest>, reply: FastifyReply) => {
        try {
          const presented = presentedLiveCredential(request.headers, request.query);
          if ('credential' in presented && tenancy.platformAdmin.recognise(presented.credential)) throw platformAdminOutOfTenants();
          const caller = 'ticket' in presented ? principalOf(await tickets.redeem(presented.ticket)) : await credentials.authenticate(presented.credential);
          await tenancy.tenantGate.assertActive(caller.tenantId);
          if (!caller.ability.can('read', 'SessionLog')) {
            throw new GatewayError('Forbidden', `The roles of this caller (${caller.roles.join(', ') || 'none'}) do not allow "read" on SessionLog.`);
          }
          await deps.rateLimits?.admit(caller); // the upgrade is a request like any other
          const from = request.query.fromVersion;
          if (from !== undefined && (typeof from !== 'string' || !/^\d{1,9}$/.test(from))) throw new GatewayError('InvalidRequest', 'fromVersion must be a whole number, the streamVersion to start from.');
          await sessions.assertOwned(caller.tenantId, request.params.sessionId);
        } catch (error) {
          if (problemFor(error, deps.maxBodyBytes).problem.status >= 500) logger.error({ err: error }, 'live session request failed');
          await sendProblem(request, reply, error, deps.maxBodyBytes);
        }
      },
    },
    (socket, request) => {
      const stream = sessionStream(request.params.sessionId);
      let next = Number(request.query.fromVersion ?? 0); // checked to be digits before the upgrade
      let live = false;
      let closed = false;
      const buffered: EventEnvelope[] = [];
      const send = (event: EventEnvelope) => {
        if (closed || event.streamVersion < next) return;
        socket.send(JSON.stringify({ event }));
        next = event.streamVersion + 1;
        if (endings.has(event.type)) close(1000, 'the session has ended');
      };
      const unsubscribeSession = feed.subscribe(stream, (event) => (live ? send(event) : buffered.push(event)));
      // Approvals live on their own streams: announced as they happen, as { approval }, outside the session's versions.
      const unsubscribeApprovals = feed.subscribe(approvalsOf(request.params.sessionId), (event) => {
        if (!closed) socket.send(JSON.stringify({ approval: event }));
      });
      const unsubscribe = () => {
        unsubscribeSession();
        unsubscribeApprovals();
      };
      const close = (code: number, reason: string) => {
        if (closed) return;
        closed = true;
        unsubscribe();
        socket.close(code, reason);
      };
      socket.on('close', () => {
        closed = true;
        unsubscribe();
      });
      void (async () => {
        try {
          for await (const event of store.streamEvents(stream, { fromVersion: next })) send(event);
          for (const event of buffered.splice(0)) send(event);
          live = true;
        } catch (error) {
          logger.warn({ err: error, stream }, 'live session catch-up failed');
          close(1011, 'the session log could not be read; reconnect with fromVersion to resume');
        }
      })();
    },
  );
}

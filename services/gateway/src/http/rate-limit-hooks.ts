import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { principalOf } from '../auth/access.guard.js';
import { sendProblem } from './problem-details.filter.js';
import type { RequestRateLimits } from './rate-limits.js';

/**
 * Routes that answer anyone (liveness, readiness, the API docs): never counted, never refused
 * because of an address's failures, so probes and docs keep working whatever a client does.
 */
const publicPath = /^\/(healthz|readyz|docs)(?:[/?]|$)/;

/**
 * Failed authentication, throttled per source address (`request.ip`: the connection's address,
 * or the client named by X-Forwarded-For when TRUST_PROXY names the proxy). Every 401 is counted
 * as it is sent, whichever route or check gave it (REST, the WebSocket upgrade); an address over
 * its limit is answered 429 in `onRequest`, before its credentials are read or looked up.
 */
export function throttleFailedAuthentication(fastify: FastifyInstance, limits: RequestRateLimits, maxBodyBytes: number): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (publicPath.test(request.url)) return undefined;
    const refusal = limits.addressRefusal(request.ip);
    if (!refusal) return undefined;
    await sendProblem(request, reply, refusal, maxBodyBytes);
    return reply;
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 401) void reply.headers(await limits.recordAuthFailure(request.ip));
    return payload;
  });
}

/**
 * Counts each authenticated REST request against its principal and tenant, after the guard has
 * authenticated and authorised it and before the handler runs; every answer then carries the
 * RateLimit fields, a refusal (429 problem+json) with Retry-After. Requests the guard refuses
 * (401, 403) are not counted here: a 401 is counted against its address instead.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(private readonly limits: RequestRateLimits) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const caller = principalOf(http.getRequest<FastifyRequest>());
    if (caller) void http.getResponse<FastifyReply>().headers(await this.limits.admit(caller));
    return next.handle();
  }
}

import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { problemContentType, problemFor, type ProblemResponse } from './problem.js';

/** The one place a failed request becomes a response: RFC 9457 problem+json, whatever was thrown. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly maxBodyBytes: number,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const answer = problemFor(exception, this.maxBodyBytes);
    if (answer.problem.status >= 500) this.logger.error({ err: exception, method: request.method, url: instance(request) }, 'request failed');
    if (reply.sent) return;
    void sendProblemResponse(request, reply, answer);
  }
}

const instance = (request: FastifyRequest) => request.url.split('?')[0];

function sendProblemResponse(request: FastifyRequest, reply: FastifyReply, { problem, headers }: ProblemResponse): FastifyReply {
  return reply
    .code(problem.status)
    .headers({ ...headers, 'content-type': problemContentType, 'cache-control': 'no-store' })
    .send(JSON.stringify({ ...problem, instance: instance(request) }));
}

/** Answers a request with the problem for `error` outside Nest's routes (hooks and the WebSocket route), as the filter does inside. */
export async function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown, maxBodyBytes: number): Promise<void> {
  await sendProblemResponse(request, reply, problemFor(error, maxBodyBytes));
}

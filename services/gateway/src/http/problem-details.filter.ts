import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { problemContentType, problemFor } from './problem.js';

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
    const { problem, headers } = problemFor(exception, this.maxBodyBytes);
    const instance = request.url.split('?')[0];
    if (problem.status >= 500) this.logger.error({ err: exception, method: request.method, url: instance }, 'request failed');
    if (reply.sent) return;
    void reply
      .status(problem.status)
      .headers({ ...headers, 'content-type': problemContentType, 'cache-control': 'no-store' })
      .send(JSON.stringify({ ...problem, instance }));
  }
}

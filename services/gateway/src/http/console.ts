import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import { sendProblem } from './problem-details.filter.js';

/** Paths that belong to the API, never to the console: an unknown one is the API's 404, not the console's page. */
const apiPaths = /^\/(v1|docs|healthz|readyz)(\/|$|\?)/;

/**
 * The web console (apps/console, built into `dir`) at `/`, on the API's port. Its files are
 * served as they are (hashed assets cached for a year, index.html never); any other GET that a
 * browser makes for a page (Accept: text/html) outside the API's paths is the console's own route
 * (/approvals/…, /sessions/…) and gets index.html. The console reads only the public API, like
 * any client. Without a build, `/` says how to make one.
 */
export async function serveConsole(fastify: FastifyInstance, dir: string, logger: Logger, maxBodyBytes: number): Promise<void> {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    logger.warn({ dir }, 'no console build: `npm run console:build` makes one (npm start does when the sources changed)');
    fastify.get('/', (request, reply) =>
      sendProblem(request, reply, new GatewayError('NotFound', `The web console is not built here (${dir}): run \`npm run console:build\`, or use the API at /v1 and its docs at /docs.`), maxBodyBytes),
    );
    return;
  }
  await fastify.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // Routes for the files present at start-up, so nothing else falls through to the file system.
    wildcard: false,
    index: false,
    // Vite names every asset by its content's hash: a browser may keep one for a year. Anything else is checked each time.
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.startsWith(join(dir, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const page = (_request: FastifyRequest, reply: FastifyReply) => reply.sendFile('index.html');
  fastify.get('/', page);
  fastify.get('/*', (request, reply) => {
    const wantsPage = request.headers.accept?.includes('text/html') ?? false;
    if (!wantsPage || apiPaths.test(request.url)) {
      return sendProblem(request, reply, new GatewayError('NotFound', `Nothing is at ${request.url.split('?')[0]}. The API's routes are listed at /docs.`), maxBodyBytes);
    }
    return page(request, reply);
  });
}

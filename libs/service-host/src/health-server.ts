import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Readiness } from './readiness.js';

export interface HealthServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A service's own small HTTP server for probes: `/healthz` (liveness: the process answers) and
 * `/readyz` (its consumers and projections; 503 when one is stalled). Services other than the
 * gateway serve nothing else over HTTP.
 */
export async function startHealthServer(readiness: Readiness, options: { readonly port: number; readonly host?: string; readonly logger?: Logger }): Promise<HealthServer> {
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const report = await readiness.report();
    return reply.code(report.status === 'ready' ? 200 : 503).send(report);
  });
  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://127.0.0.1:${port}`;
  return { url, close: () => app.close() };
}

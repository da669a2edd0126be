import { processMetrics, type PlatformMetrics } from '@agent-orchestrator/metrics';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Readiness } from './readiness.js';

export interface HealthServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A service's own small HTTP server for probes and Prometheus: `/healthz` (liveness: the process
 * answers), `/readyz` (its consumers and projections; 503 when one is stalled) and `/metrics`
 * (the process's registry in the text format, with the readiness checks' lag and quarantined
 * counts read at scrape time). It is apart from any public port: metrics name every tenant.
 */
export async function startHealthServer(
  readiness: Readiness,
  options: { readonly port: number; readonly host?: string; readonly logger?: Logger; readonly metrics?: PlatformMetrics },
): Promise<HealthServer> {
  const metrics = options.metrics ?? processMetrics;
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const report = await readiness.report();
    return reply.code(report.status === 'ready' ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.text()));
  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const address = app.server.address();
  const unwatch = metrics.watch('readiness', async () => (await readiness.report()).checks.map(({ kind, name, lag, quarantined }) => ({ kind, name: name.replace(/^projection:/, ''), lag, quarantined })));
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    close: async () => {
      unwatch();
      await app.close();
    },
  };
}

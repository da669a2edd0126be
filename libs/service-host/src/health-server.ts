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
 * What `/metrics` answers under METRICS=off: 404, since the process has no metrics to expose (not
 * 503: nothing is unavailable for a while, and a scraper that retries will never get any), as
 * problem+json naming the switch, so a scrape's error says why.
 */
export const metricsOffProblem = {
  type: 'about:blank',
  title: 'Metrics are off',
  status: 404,
  detail: 'This process runs with METRICS=off: it records no metrics and exposes none. Start it with METRICS=on (the default) to scrape it.',
} as const;

/**
 * A service's own small HTTP server for probes and Prometheus: `/healthz` (liveness: the process
 * answers), `/readyz` (its consumers and projections; 503 when one is stalled) and `/metrics`
 * (the process's registry in the text format, with the readiness checks' lag and quarantined
 * counts read at scrape time; `metricsOffProblem` when `metrics` is off). It is apart from any
 * public port: metrics name every tenant.
 */
export async function startHealthServer(
  readiness: Readiness,
  options: { readonly port: number; readonly host?: string; readonly logger?: Logger; readonly registry?: PlatformMetrics; readonly metrics?: 'on' | 'off' },
): Promise<HealthServer> {
  const metrics = options.registry ?? processMetrics;
  const metricsOn = options.metrics !== 'off';
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const report = await readiness.report();
    return reply.code(report.status === 'ready' ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_request, reply) =>
    metricsOn ? reply.type(metrics.contentType).send(await metrics.text()) : reply.code(404).type('application/problem+json').send(metricsOffProblem),
  );
  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const address = app.server.address();
  const unwatch = metricsOn ? metrics.watch('readiness', async () => (await readiness.report()).checks.map(({ kind, name, lag, quarantined }) => ({ kind, name: name.replace(/^projection:/, ''), lag, quarantined }))) : () => undefined;
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

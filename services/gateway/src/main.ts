import { processMetrics } from '@agent-orchestrator/metrics';
import { openPlatform, parsePlatformConfig, PlatformConfigError, startHealthServer, type Platform } from '@agent-orchestrator/service-host';
import { startTracing } from '@agent-orchestrator/tracing';
import { pino } from 'pino';
import { GatewayConfigError, parseGatewayConfig } from './config.js';
import { startGateway } from './service.js';

const logger = pino({ name: 'gateway', level: process.env.LOG_LEVEL ?? 'info' });
let platform: Platform | undefined;
try {
  const config = parseGatewayConfig(process.env);
  const platformConfig = parsePlatformConfig(process.env, 'gateway');
  processMetrics.setRecording(platformConfig.metrics === 'on');
  const tracing = await startTracing('gateway');
  platform = await openPlatform(platformConfig, 'gateway');
  const gateway = await startGateway(platform, config, logger);
  // /metrics names every tenant: it is served on HEALTH_PORT, apart from the public API.
  const metrics = await startHealthServer(platform.readiness, { port: platform.config.healthPort, metrics: platform.config.metrics });
  const opened = platform;
  gateway.app.enableShutdownHooks();
  gateway.app.getHttpServer().on('close', () => void metrics.close().then(() => opened.close()).finally(() => tracing.shutdown()));
  logger.info({ url: gateway.url, metricsUrl: `${metrics.url}/metrics`, metrics: platform.config.metrics }, 'gateway listening');
} catch (error) {
  if (error instanceof GatewayConfigError || error instanceof PlatformConfigError) logger.fatal(error.message);
  else logger.fatal({ err: error }, 'gateway failed to start');
  await platform?.close().catch(() => undefined);
  process.exitCode = 1;
}

import { processMetrics } from '@agent-orchestrator/metrics';
import { AppRoleError } from '@agent-orchestrator/postgres';
import { startTracing } from '@agent-orchestrator/tracing';
import { pino } from 'pino';
import { parsePlatformConfig, PlatformConfigError } from './platform-config.js';
import { startHealthServer } from './health-server.js';
import { openPlatform, type Platform } from './platform.js';

export interface RunningService {
  stop(): Promise<void>;
}

/**
 * A service process's main: parse the shared configuration and the service's own (`parseConfig`,
 * from its config.ts; both before anything connects) (a clear message and exit code 1 when
 * it is wrong), switch metrics on or off (METRICS) before anything records, open the platform,
 * start the service, answer /healthz, /readyz and /metrics on HEALTH_PORT (logged with the
 * "started" line), and on SIGTERM or SIGINT stop it (finishing
 * the message in hand and committing what was handled) before closing the connections.
 */
export async function runService<Config = undefined>(
  service: string,
  start: (platform: Platform, config: Config) => Promise<RunningService>,
  parseConfig: (env: Readonly<Record<string, string | undefined>>) => Config = () => undefined as Config,
): Promise<void> {
  const bootLogger = pino({ name: service });
  let platform: Platform | undefined;
  try {
    const platformConfig = parsePlatformConfig(process.env, service);
    const config = parseConfig(process.env);
    processMetrics.setRecording(platformConfig.metrics === 'on');
    const tracing = await startTracing(service);
    platform = await openPlatform(platformConfig, service);
    const running = await start(platform, config);
    const health = await startHealthServer(platform.readiness, { port: platform.config.healthPort, metrics: platform.config.metrics });
    const opened = platform;
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      opened.logger.info({ signal }, `${service} stopping`);
      await health.close();
      await running.stop();
      await opened.close();
      await tracing.shutdown();
      opened.logger.info(`${service} stopped`);
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
    platform.logger.info({ healthUrl: health.url, tracing: tracing.enabled, metrics: platform.config.metrics }, `${service} started`);
  } catch (error) {
    if (error instanceof PlatformConfigError || error instanceof AppRoleError) bootLogger.fatal(error.message);
    else bootLogger.fatal({ err: error }, `${service} failed to start`);
    await platform?.close().catch(() => undefined);
    process.exitCode = 1;
  }
}

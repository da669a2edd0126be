import { openReadModels } from '@agent-orchestrator/read-models';
import { openSecretStore, secretsConfigFrom } from '@agent-orchestrator/secrets';
import { openPlatform, parsePlatformConfig, PlatformConfigError, type Platform } from '@agent-orchestrator/service-host';
import { pino } from 'pino';
import { createGatewayApp } from './app.js';
import { GatewayConfigError, parseGatewayConfig } from './config.js';

const logger = pino({ name: 'gateway', level: process.env.LOG_LEVEL ?? 'info' });
let platform: Platform | undefined;
try {
  const config = parseGatewayConfig(process.env);
  platform = await openPlatform(parsePlatformConfig(process.env, 'gateway'), 'gateway');
  const readModels = await openReadModels({ url: platform.config.databaseUrl, schema: platform.config.readModelSchema });
  const { store, producer, topics } = platform;
  const secrets = (await openSecretStore(secretsConfigFrom(process.env), platform.pool)) ?? null;
  const app = await createGatewayApp(config, { logger, sessions: { store, producer, topics, queries: readModels.sessionQueries, modelCalls: readModels.modelCallQueries, approvals: readModels.approvalQueries }, secrets });
  const opened = platform;
  app.enableShutdownHooks();
  app.getHttpServer().on('close', () => void readModels.close().then(() => opened.close()));
  await app.listen(config.port, '0.0.0.0');
  logger.info({ url: await app.getUrl() }, 'gateway listening');
} catch (error) {
  if (error instanceof GatewayConfigError || error instanceof PlatformConfigError) logger.fatal(error.message);
  else logger.fatal({ err: error }, 'gateway failed to start');
  await platform?.close().catch(() => undefined);
  process.exitCode = 1;
}

import { pino } from 'pino';
import { createGatewayApp } from './app.js';
import { GatewayConfigError, parseGatewayConfig } from './config.js';

const logger = pino({ name: 'gateway' });
try {
  const config = parseGatewayConfig(process.env);
  const app = await createGatewayApp(config, { logger });
  app.enableShutdownHooks();
  await app.listen(config.port, '0.0.0.0');
  logger.info({ url: await app.getUrl() }, 'gateway listening');
} catch (error) {
  if (error instanceof GatewayConfigError) logger.fatal(error.message);
  else logger.fatal({ err: error }, 'gateway failed to start');
  process.exitCode = 1;
}

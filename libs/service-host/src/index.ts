export { NestPinoLogger } from './nest-pino-logger.js';
export { millisecondsVariable, parsePlatformConfig, piiRedactVariable, parseServiceEnv, PlatformConfigError, type PlatformConfig } from './platform-config.js';
export { openPlatform, openPool, sharedPlatform, startEventService, type Platform, type SharedConnections } from './platform.js';
export { parseSecretsConfig } from './secrets-config.js';
export { runService, type RunningService } from './run-service.js';
export { startCommandConsumer, startSweep } from './command-consumer.js';

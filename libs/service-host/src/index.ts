export { NestPinoLogger } from './nest-pino-logger.js';
export { parsePlatformConfig, PlatformConfigError, type PlatformConfig } from './platform-config.js';
export { openPlatform, openPool, sharedPlatform, startEventService, type Platform, type SharedConnections } from './platform.js';
export { runService, type RunningService } from './run-service.js';
export { startCommandConsumer, startSweep } from './command-consumer.js';

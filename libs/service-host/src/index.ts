export { NestPinoLogger } from './nest-pino-logger.js';
export { millisecondsVariable, parsePlatformConfig, platformTuningVariables, parseServiceEnv, PlatformConfigError, wholeNumberVariable, type PlatformConfig } from './platform-config.js';
export { openPlatform, openPool, openTenantPool, sharedPlatform, startEventService, type Platform, type SharedConnections } from './platform.js';
export { parseSecretsConfig } from './secrets-config.js';
export { runService, type RunningService } from './run-service.js';
export { startCommandConsumer, startSweep } from './command-consumer.js';
export { startHealthServer, type HealthServer } from './health-server.js';
export { holdLeadership, type Leadership, type LeadershipOptions, type LeadershipRole, type LeaderWork } from './leadership.js';
export { Readiness, type ReadinessCheck, type ReadinessKind, type ReadinessReading, type ReadinessReport } from './readiness.js';

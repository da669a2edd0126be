export { createGatewayApp, type GatewayDeps } from './app.js';
export { GatewayConfigError, parseGatewayConfig, type GatewayConfig } from './config.js';
export { startGateway, type RunningGateway } from './service.js';
export { permissions, renderRoleTable, withRoleTable, type Permission } from './auth/role-table.js';

export { createGatewayApp, type GatewayDeps } from './app.js';
export { GatewayConfigError, parseGatewayConfig, type GatewayConfig } from './config.js';

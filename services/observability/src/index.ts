export { parseObservabilityConfig, type ObservabilityConfig } from './config.js';
export { startObservability } from './service.js';

export { parseObservabilityConfig, type ObservabilityConfig } from './config.js';
export { startObservability } from './service.js';
export { decidePrices, evolvePrices, initialPrices, type PricesState } from './domain/prices/prices.js';

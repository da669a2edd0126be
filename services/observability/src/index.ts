export { parseObservabilityConfig, type ObservabilityConfig } from './config.js';
export { startObservability } from './service.js';
export { decidePrices, evolvePrices, initialPrices, type PricesState } from './domain/prices/prices.js';
export { startAlerts, type RunningAlerts } from './alerts/alerts.js';
export { parseAlertsConfig, type AlertsConfig, type AlertDeliveryConfig } from './alerts/config.js';
export { verifySignature } from './alerts/delivery/signature.js';
export type { BudgetThresholdCrossed } from './alerts/domain/budget-rule.js';

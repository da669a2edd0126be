import { defaultPriceTable, priceTableSchema, type PriceTable } from '@agent-orchestrator/contracts';
import { parseServiceEnv } from '@agent-orchestrator/service-host';
import { z } from 'zod';
import { parseAlertsConfig, type AlertsConfig } from './alerts/config.js';

const envSchema = z.object({
  // The same variable agent-runtime reads: the prices it charges calls at are the ones recorded here.
  MODEL_PRICES: z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'is not valid JSON: expects {"model": {"inputUsdPerMillion": n, "outputUsdPerMillion": n}}' });
        return z.NEVER;
      }
    })
    .pipe(priceTableSchema)
    .optional(),
});

export interface ObservabilityConfig {
  /** The table MODEL_PRICES configures over the defaults, recorded as a price version when it changed (see SeedModelPrices). */
  readonly configuredPrices: PriceTable;
  /** The alert rules' thresholds and schedule and the webhook delivery's retries (ALERT_*). */
  readonly alerts: AlertsConfig;
}

/** MODEL_PRICES (JSON, `{"model": {"inputUsdPerMillion": n, "outputUsdPerMillion": n}}`, laid over the default table); a wrong value throws naming it. */
export function parseObservabilityConfig(env: Readonly<Record<string, string | undefined>>): ObservabilityConfig {
  const vars = parseServiceEnv('observability', envSchema, env);
  return { configuredPrices: { ...defaultPriceTable, ...vars.MODEL_PRICES }, alerts: parseAlertsConfig(env) };
}

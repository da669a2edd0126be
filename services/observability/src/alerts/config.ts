import { egressAllowVariable, egressDenyVariable } from '@agent-orchestrator/egress';
import type { SecretsConfig } from '@agent-orchestrator/secrets';
import { millisecondsVariable, parseSecretsConfig, parseServiceEnv, wholeNumberVariable } from '@agent-orchestrator/service-host';
import { z } from 'zod';
import type { DeadLetterGrowthLimits } from './domain/alert-rules.js';

const envSchema = z.object({
  ALERT_EVALUATE_MS: millisecondsVariable(100, 3_600_000).default(15_000),
  ALERT_DEAD_LETTER_GROWTH: wholeNumberVariable(1, 1_000_000, 'dead letters').default(5),
  ALERT_DEAD_LETTER_WINDOW_MS: millisecondsVariable(1000, 7 * 24 * 3_600_000).default(600_000),
  ALERT_APPROVAL_SLA_MS: millisecondsVariable(1000, 30 * 24 * 3_600_000).default(3_600_000),
  ALERT_DELIVERY_POLL_MS: millisecondsVariable(50, 3_600_000).default(2000),
  ALERT_DELIVERY_ATTEMPTS: wholeNumberVariable(1, 10, 'attempts').default(3),
  ALERT_DELIVERY_BACKOFF_MS: millisecondsVariable(1, 600_000).default(1000),
  ALERT_DELIVERY_TIMEOUT_MS: millisecondsVariable(100, 120_000).default(10_000),
  ALERT_REDELIVERY_MS: millisecondsVariable(100, 24 * 3_600_000).default(60_000),
  ALERT_MAX_DELIVERY_ROUNDS: wholeNumberVariable(1, 1000, 'rounds').default(24),
  EGRESS_ALLOW: egressAllowVariable,
  EGRESS_DENY: egressDenyVariable,
});

export interface AlertDeliveryConfig {
  /** How often due deliveries are looked for. */
  readonly pollMs: number;
  /** Attempts in one round, backing off exponentially from `backoffMs` (cockatiel). */
  readonly attempts: number;
  readonly backoffMs: number;
  /** One POST's deadline. */
  readonly timeoutMs: number;
  /** After a round that failed, the next round waits this long (doubling per round, at most a day). */
  readonly redeliveryMs: number;
  /** Rounds before a delivery is given up (recorded as failed). */
  readonly maxRounds: number;
}

export interface AlertsConfig {
  /** How often the rules are evaluated (one process at a time). */
  readonly evaluateMs: number;
  /** Dead letters of one consumer (in one tenant) arriving within `windowMs` that raise an alert; a window with none resolves it. */
  readonly deadLetters: DeadLetterGrowthLimits;
  /** How long an approval may wait before its wait raises an alert. */
  readonly approvalSlaMs: number;
  readonly delivery: AlertDeliveryConfig;
  readonly secrets: SecretsConfig;
  /** Destinations the operator trusts for every tenant (EGRESS_ALLOW). */
  readonly egressAllow: readonly string[];
  /** Destinations no tenant may reach (EGRESS_DENY; the cloud metadata ranges by default). */
  readonly egressDeny: readonly string[];
}

/**
 * ALERT_EVALUATE_MS (15 s), ALERT_DEAD_LETTER_GROWTH (5) within ALERT_DEAD_LETTER_WINDOW_MS (10 min),
 * ALERT_APPROVAL_SLA_MS (1 h),
 * ALERT_DELIVERY_POLL_MS (2 s), ALERT_DELIVERY_ATTEMPTS (3), ALERT_DELIVERY_BACKOFF_MS (1 s),
 * ALERT_DELIVERY_TIMEOUT_MS (10 s), ALERT_REDELIVERY_MS (1 min), ALERT_MAX_DELIVERY_ROUNDS (24),
 * EGRESS_ALLOW, EGRESS_DENY and the secret store's variables. A wrong value throws naming it.
 */
export function parseAlertsConfig(env: Readonly<Record<string, string | undefined>>): AlertsConfig {
  const vars = parseServiceEnv('observability', envSchema, env);
  return {
    evaluateMs: vars.ALERT_EVALUATE_MS,
    deadLetters: { growth: vars.ALERT_DEAD_LETTER_GROWTH, windowMs: vars.ALERT_DEAD_LETTER_WINDOW_MS },
    approvalSlaMs: vars.ALERT_APPROVAL_SLA_MS,
    delivery: {
      pollMs: vars.ALERT_DELIVERY_POLL_MS,
      attempts: vars.ALERT_DELIVERY_ATTEMPTS,
      backoffMs: vars.ALERT_DELIVERY_BACKOFF_MS,
      timeoutMs: vars.ALERT_DELIVERY_TIMEOUT_MS,
      redeliveryMs: vars.ALERT_REDELIVERY_MS,
      maxRounds: vars.ALERT_MAX_DELIVERY_ROUNDS,
    },
    secrets: parseSecretsConfig('observability', env),
    egressAllow: vars.EGRESS_ALLOW,
    egressDeny: vars.EGRESS_DENY,
  };
}

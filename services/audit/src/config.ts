import type { SecretsConfig } from '@agent-orchestrator/secrets';
import { millisecondsVariable, parseSecretsConfig, parseServiceEnv } from '@agent-orchestrator/service-host';
import { z } from 'zod';

const envSchema = z.object({
  AUDIT_CHECKPOINT_INTERVAL_MS: millisecondsVariable(1000, 7 * 86_400_000).default(600_000),
  AUDIT_RETENTION_SWEEP_MS: millisecondsVariable(1000, 7 * 86_400_000).default(3_600_000),
  AUDIT_TSA_URL: z.url().optional(),
});

export interface AuditConfig {
  /** How often each tenant whose tree grew gets a signed checkpoint. */
  readonly checkpointIntervalMs: number;
  /** How often expired bundles are deleted. */
  readonly retentionSweepMs: number;
  /** An RFC 3161 time-stamping authority. Accepted, but checkpoints are not stamped yet: the service logs so at start. */
  readonly tsaUrl: string | undefined;
  /** Where signing keys are kept: the platform's secret store. */
  readonly secrets: SecretsConfig;
}

/**
 * AUDIT_CHECKPOINT_INTERVAL_MS (10 min), AUDIT_RETENTION_SWEEP_MS (1 h), AUDIT_TSA_URL (none) and
 * the secret store's variables; a wrong value throws naming it and what it expects.
 */
export function parseAuditConfig(env: Readonly<Record<string, string | undefined>>): AuditConfig {
  const vars = parseServiceEnv('audit', envSchema, env);
  return { checkpointIntervalMs: vars.AUDIT_CHECKPOINT_INTERVAL_MS, retentionSweepMs: vars.AUDIT_RETENTION_SWEEP_MS, tsaUrl: vars.AUDIT_TSA_URL, secrets: parseSecretsConfig('audit', env) };
}

import { egressAllowVariable, egressDenyVariable } from '@agent-orchestrator/egress';
import type { SecretsConfig } from '@agent-orchestrator/secrets';
import { millisecondsVariable, parseSecretsConfig, parseServiceEnv, wholeNumberVariable } from '@agent-orchestrator/service-host';
import { z } from 'zod';
import type { HttpExecutorOptions } from './execution/http-executor.js';

const envSchema = z.object({
  TOOL_TIMEOUT_MS: millisecondsVariable(1, 600_000).optional(),
  TOOL_RETRIES: wholeNumberVariable(0, 20, 'retries').optional(),
  TOOL_RETRY_MIN_MS: millisecondsVariable(0, 60_000).optional(),
  TOOL_MAX_RESPONSE_BYTES: wholeNumberVariable(1, 100 * 1024 * 1024, 'bytes').optional(),
  TOOL_TENANT_RATE_LIMIT_PER_MINUTE: wholeNumberVariable(1, 1_000_000, 'calls a minute').optional(),
  TOOL_RATE_LIMIT_MAX_WAIT_MS: millisecondsVariable(0, 3_600_000).default(30_000),
  EGRESS_ALLOW: egressAllowVariable,
  EGRESS_DENY: egressDenyVariable,
});

export interface ToolAdaptersConfig {
  readonly executor: HttpExecutorOptions;
  readonly rateLimits: { readonly tenantPerMinute?: number; readonly maxWaitMs: number };
  readonly secrets: SecretsConfig;
  /** Destinations the operator trusts for every tenant (EGRESS_ALLOW). */
  readonly egressAllow: readonly string[];
  /** Destinations no tenant may reach whatever its allow-list says (EGRESS_DENY; the cloud metadata ranges by default). */
  readonly egressDeny: readonly string[];
}

/**
 * TOOL_TIMEOUT_MS, TOOL_RETRIES, TOOL_RETRY_MIN_MS, TOOL_MAX_RESPONSE_BYTES (the executor's defaults
 * when unset), TOOL_TENANT_RATE_LIMIT_PER_MINUTE (unlimited), TOOL_RATE_LIMIT_MAX_WAIT_MS (30 s),
 * EGRESS_ALLOW (none), EGRESS_DENY (the cloud metadata ranges) and the secrets store's variables. A wrong value throws naming
 * the variable and what it expects.
 */
export function parseToolAdaptersConfig(env: Readonly<Record<string, string | undefined>>): ToolAdaptersConfig {
  const vars = parseServiceEnv('tool-adapters', envSchema, env);
  return {
    executor: {
      ...(vars.TOOL_TIMEOUT_MS === undefined ? {} : { timeoutMs: vars.TOOL_TIMEOUT_MS }),
      ...(vars.TOOL_RETRIES === undefined ? {} : { retries: vars.TOOL_RETRIES }),
      ...(vars.TOOL_RETRY_MIN_MS === undefined ? {} : { minBackoffMs: vars.TOOL_RETRY_MIN_MS }),
      ...(vars.TOOL_MAX_RESPONSE_BYTES === undefined ? {} : { maxResponseBytes: vars.TOOL_MAX_RESPONSE_BYTES }),
    },
    rateLimits: { ...(vars.TOOL_TENANT_RATE_LIMIT_PER_MINUTE === undefined ? {} : { tenantPerMinute: vars.TOOL_TENANT_RATE_LIMIT_PER_MINUTE }), maxWaitMs: vars.TOOL_RATE_LIMIT_MAX_WAIT_MS },
    secrets: parseSecretsConfig('tool-adapters', env),
    egressAllow: vars.EGRESS_ALLOW,
    egressDeny: vars.EGRESS_DENY,
  };
}

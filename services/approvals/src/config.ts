import { millisecondsVariable, parseServiceEnv } from '@agent-orchestrator/service-host';
import { z } from 'zod';

const envSchema = z.object({
  APPROVAL_SWEEP_MS: millisecondsVariable(10, 3_600_000).default(5000),
});

export interface ApprovalsConfig {
  /** How often the clock looks for approvals past their expiry. */
  readonly approvalSweepMs: number;
}

/** APPROVAL_SWEEP_MS (5000); a wrong value throws naming it and what it expects. */
export function parseApprovalsConfig(env: Readonly<Record<string, string | undefined>>): ApprovalsConfig {
  const vars = parseServiceEnv('approvals', envSchema, env);
  return { approvalSweepMs: vars.APPROVAL_SWEEP_MS };
}

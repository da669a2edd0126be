import { millisecondsVariable, parseServiceEnv } from '@agent-orchestrator/service-host';
import { z } from 'zod';

const envSchema = z.object({
  TIMEOUT_SWEEP_MS: millisecondsVariable(10, 3_600_000).default(5000),
});

export interface OrchestratorConfig {
  /** How often the sweep looks for steps and sessions past their deadline. */
  readonly timeoutSweepMs: number;
}

/** TIMEOUT_SWEEP_MS (5000); a wrong value throws naming it and what it expects. */
export function parseOrchestratorConfig(env: Readonly<Record<string, string | undefined>>): OrchestratorConfig {
  const vars = parseServiceEnv('orchestrator', envSchema, env);
  return { timeoutSweepMs: vars.TIMEOUT_SWEEP_MS };
}

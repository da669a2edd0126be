import { millisecondsVariable, parseServiceEnv } from '@agent-orchestrator/service-host';
import { z } from 'zod';

const envSchema = z.object({
  TIMEOUT_SWEEP_MS: millisecondsVariable(10, 3_600_000).default(5000),
  PROJECTIONS: z.enum(['in-process', 'apart'], { error: 'expects in-process (this process projects the read models) or apart (projections-main.ts does)' }).default('in-process'),
});

export interface OrchestratorConfig {
  /** How often the sweep looks for steps and sessions past their deadline. */
  readonly timeoutSweepMs: number;
  /** Whether this process projects the read models, or leaves them to the projections processes. */
  readonly projections: 'in-process' | 'apart';
}

/** TIMEOUT_SWEEP_MS (5000), PROJECTIONS (in-process); a wrong value throws naming it and what it expects. */
export function parseOrchestratorConfig(env: Readonly<Record<string, string | undefined>>): OrchestratorConfig {
  const vars = parseServiceEnv('orchestrator', envSchema, env);
  return { timeoutSweepMs: vars.TIMEOUT_SWEEP_MS, projections: vars.PROJECTIONS };
}

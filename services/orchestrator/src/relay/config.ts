import { millisecondsVariable, parseServiceEnv } from '@agent-orchestrator/service-host';
import { z } from 'zod';

const envSchema = z.object({
  RELAY_LEADER_POLL_MS: millisecondsVariable(50, 60_000).default(1000),
  RELAY_HEARTBEAT_MS: millisecondsVariable(50, 60_000).default(1000),
});

export interface RelayConfig {
  /** How often a standby relay tries to take the lead. */
  readonly leaderPollMs: number;
  /** How often the leader checks that it still holds its lock (it stops relaying when it cannot). */
  readonly heartbeatMs: number;
}

/** RELAY_LEADER_POLL_MS (1000), RELAY_HEARTBEAT_MS (1000); a wrong value throws naming it and what it expects. */
export function parseRelayConfig(env: Readonly<Record<string, string | undefined>>): RelayConfig {
  const vars = parseServiceEnv('relay', envSchema, env);
  return { leaderPollMs: vars.RELAY_LEADER_POLL_MS, heartbeatMs: vars.RELAY_HEARTBEAT_MS };
}

import { parseServiceEnv, wholeNumberVariable, millisecondsVariable } from '@agent-orchestrator/service-host';
import { defaultOperationRate, maxOperationRate } from '@agent-orchestrator/contracts';
import { z } from 'zod';

const envSchema = z.object({
  REPLAY_DEFAULT_RATE: wholeNumberVariable(1, maxOperationRate, 'items per second').default(defaultOperationRate),
  REPLAY_MAX_BATCH: wholeNumberVariable(1, 1000, 'items').default(500),
  REPLAY_MAX_CONCURRENCY: wholeNumberVariable(1, 256, 'items in flight').default(32),
  REPLAY_MAX_RUNNING: wholeNumberVariable(1, 32, 'operations').default(4),
  REPLAY_SWEEP_MS: millisecondsVariable(100, 3_600_000).default(5000),
  REPLAY_MAX_REDRIVES: wholeNumberVariable(0, 1000, 'redrives').default(3),
  REPLAY_DLQ_RESCAN_MS: millisecondsVariable(100, 3_600_000).default(30_000),
});

export interface ReplayConfig {
  /** Items per second of an operation that names no rate. */
  readonly defaultRate: number;
  /** The most item outcomes appended at once; a batch also lasts about a second at the operation's rate, so a pause takes effect within one. */
  readonly maxBatch: number;
  /** The most items of one operation acted on at the same time, whatever its rate. */
  readonly maxConcurrency: number;
  /** Operations this process runs at once (each holds a database connection for its lock); the rest wait for a sweep. */
  readonly maxRunning: number;
  /** How often running operations are looked for (after a restart, or one another process left). */
  readonly sweepMs: number;
  /** A dead letter redriven this many times is refused another redrive (discard it or fix its cause). */
  readonly maxRedrives: number;
  /** How often the topics are listed for new dead-letter topics to index (kafkajs resolves no pattern after it subscribed). */
  readonly deadLetterRescanMs: number;
}

/** REPLAY_DEFAULT_RATE (100/s), REPLAY_MAX_BATCH (500), REPLAY_MAX_CONCURRENCY (32), REPLAY_MAX_RUNNING (4), REPLAY_SWEEP_MS (5 s), REPLAY_MAX_REDRIVES (3), REPLAY_DLQ_RESCAN_MS (30 s); a wrong value throws naming it. */
export function parseReplayConfig(env: Readonly<Record<string, string | undefined>>): ReplayConfig {
  const vars = parseServiceEnv('replay', envSchema, env);
  return { defaultRate: vars.REPLAY_DEFAULT_RATE, maxBatch: vars.REPLAY_MAX_BATCH, maxConcurrency: vars.REPLAY_MAX_CONCURRENCY, maxRunning: vars.REPLAY_MAX_RUNNING, sweepMs: vars.REPLAY_SWEEP_MS, maxRedrives: vars.REPLAY_MAX_REDRIVES, deadLetterRescanMs: vars.REPLAY_DLQ_RESCAN_MS };
}

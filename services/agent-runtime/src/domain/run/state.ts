import type { AgentRunEvent, Usage } from '@agent-orchestrator/contracts';

type DataOf<Type extends AgentRunEvent['type']> = Extract<AgentRunEvent, { type: Type }>['data'];

/** A model response as ModelResponded stores it, and as a run picked up again is served it. */
export interface RecordedResponse {
  readonly turn: number;
  readonly responseId?: string;
  readonly output: readonly unknown[];
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export type PendingCall = DataOf<'AgentRunPaused'>['pendingCalls'][number];

/** The run's last pause, and how many responses the run had when it paused (its next turn). */
export type RunPause = DataOf<'AgentRunPaused'> & { readonly turnsBefore: number };

interface RunFacts {
  /** How many events the run decided, less one: its own events, not what redaction adds beside them. */
  readonly version: number;
  readonly runId: string;
  readonly started: DataOf<'AgentRunStarted'>;
  /** Every response recorded, in turn order. */
  readonly responses: readonly RecordedResponse[];
  readonly usage: Usage;
}

/**
 * Where a run stands, folded from its `agentrun-<id>` stream: never started; running (asking the
 * model, or paused on tool calls: `pause` is its last pause, and it is waiting while the calls
 * of that pause are unanswered); or ended, completed or failed.
 */
export type RunState =
  | { readonly phase: 'absent'; readonly version: -1 }
  | (RunFacts & { readonly phase: 'running'; readonly pause?: RunPause })
  | (RunFacts & { readonly phase: 'ended'; readonly outcome: 'completed' | 'failed' });

export const noUsage: Usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

export const initialState = (): RunState => ({ phase: 'absent', version: -1 });

/** Usage summed, its cost rounded to a billionth of a dollar so sums of prices stay exact. */
export function addUsage(a: Usage, b: Usage): Usage {
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, costUsd: Math.round((a.costUsd + b.costUsd) * 1e9) / 1e9 };
}

export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}

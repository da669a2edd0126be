import type { SessionEvent } from './session-events.js';

export type BudgetOverrun = Extract<SessionEvent, { type: 'BudgetExceeded' }>['data'];

/** The reason a session failed on a budget, in words: the decider's SessionFailed and the read model say it alike. */
export function describeOverrun({ budget, limit, used }: BudgetOverrun): string {
  switch (budget) {
    case 'deadline':
      return `budget exceeded: deadline ${limit} reached at ${used}`;
    case 'steps':
      return `budget exceeded: ${used} step attempts needed, at most ${limit} allowed`;
    case 'tokens':
      return `budget exceeded: ${used} tokens used, at most ${limit} allowed`;
    case 'costUsd':
      return `budget exceeded: ${used} USD spent, at most ${limit} allowed`;
    default: {
      const unknown: never = budget;
      throw new Error(`unknown budget ${String(unknown)}`);
    }
  }
}

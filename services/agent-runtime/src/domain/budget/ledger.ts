import {
  budgetThresholds,
  emptyBudgetLedger,
  evolveBudgetLedger,
  heldAt,
  roundAmount,
  type BudgetInPeriod,
  type BudgetLedger,
  type CommandMetadata,
  type EventEnvelope,
  type NewEvent,
} from '@agent-orchestrator/contracts';
import { BudgetError } from './errors.js';
import { stamp } from './stamp.js';

/**
 * What the runtime asks of one budget's ledger in one period. `budget` is the budget's terms as
 * the shell read them (a limit may change mid-period: the latest one rules). Time and the
 * reservation's id and expiry arrive as inputs, so the decider stays pure.
 */
export type LedgerCommand =
  | {
      readonly type: 'Reserve';
      readonly budget: BudgetInPeriod;
      readonly reservationId: string;
      readonly runId: string;
      /** The call's worst case, in the budget's unit. */
      readonly amount: number;
      readonly expiresAt: string;
      readonly metadata: CommandMetadata;
    }
  | { readonly type: 'Settle'; readonly budget: BudgetInPeriod; readonly reservationId: string; readonly used: number; readonly metadata: CommandMetadata };

/** The most events one ledger command decides: a settlement and every threshold it crosses. */
export const maxEventsPerLedgerDecision = 1 + budgetThresholds.length;

/**
 * One budget's ledger in one period. A reservation is granted only while settled use, what
 * unexpired reservations hold and the call's worst case stay within the limit; as the ledger is
 * one stream appended at the version read, two processes reserving at once cannot both take the
 * last of it. A settlement records the actual use and the thresholds it takes the use past, once
 * each. A command seen before (its reservation id known) decides nothing.
 */
export const budgetLedgerDecider = {
  initialState: (): BudgetLedger => emptyBudgetLedger(),
  evolve: (ledger: BudgetLedger, event: EventEnvelope | NewEvent): BudgetLedger => evolveBudgetLedger(ledger, event),
  decide(command: LedgerCommand, ledger: BudgetLedger): readonly NewEvent[] {
    const { budget, reservationId, metadata } = command;
    switch (command.type) {
      case 'Reserve': {
        if (ledger.open.has(reservationId) || ledger.settled.has(reservationId)) return [];
        const taken = roundAmount(ledger.used + heldAt(ledger, metadata.now));
        if (roundAmount(taken + command.amount) > budget.limit) {
          throw new BudgetError('WouldCross', `${describeBudget(budget)} would be crossed: ${show(taken, budget.unit)} of its ${show(budget.limit, budget.unit)} are used or held, and the call may take up to ${show(command.amount, budget.unit)}`);
        }
        return [stamp(metadata, 0, 'BudgetReserved', { budgetId: budget.budgetId, reservationId, runId: command.runId, amount: command.amount, expiresAt: command.expiresAt })];
      }
      case 'Settle': {
        if (ledger.settled.has(reservationId)) return [];
        if (!ledger.open.has(reservationId)) throw new BudgetError('UnknownReservation', `budget ${budget.budgetId} holds no reservation ${reservationId} to settle`);
        const used = roundAmount(ledger.used + command.used);
        const events = [stamp(metadata, 0, 'BudgetSettled', { budgetId: budget.budgetId, reservationId, used: command.used })];
        for (const thresholdPercent of budgetThresholds) {
          if (ledger.crossed.has(thresholdPercent) || used < (budget.limit * thresholdPercent) / 100) continue;
          const { budgetId, scope, period, periodStart, unit, limit } = budget;
          events.push(stamp(metadata, events.length, 'BudgetThresholdCrossed', { budgetId, scope, period, periodStart, unit, limit, used, thresholdPercent }));
        }
        return events;
      }
      default: {
        const unreachable: never = command;
        return unreachable;
      }
    }
  },
};

/** A budget in words: `budget "research-daily" (agent Researcher, per day, in tokens)`. */
export function describeBudget({ budgetId, scope, period, unit }: BudgetInPeriod): string {
  const whose = scope.kind === 'tenant' ? 'the tenant' : scope.kind === 'agent' ? `agent ${scope.agent}` : `session ${scope.sessionId}`;
  const per = period === 'session' ? 'for the session' : `per ${period}`;
  return `budget "${budgetId}" (${whose}, ${per}, in ${unit === 'usd' ? 'USD' : 'tokens'})`;
}

const show = (amount: number, unit: BudgetInPeriod['unit']): string => (unit === 'usd' ? `$${amount}` : `${amount} tokens`);

import { randomUUID } from 'node:crypto';
import { budgetLedgerStream, budgetPeriodKey, budgetStream, periodStartOf, roundAmount, type BudgetInPeriod, type CommandMetadata } from '@agent-orchestrator/contracts';
import { eventIdsFor, handleCommand, type EventStore } from '@agent-orchestrator/event-store';
import { budgetLedgerDecider, budgetsFor, isBudgetError, maxEventsPerLedgerDecision, tenantBudgetsDecider, type LedgerCommand, type TenantBudgets } from '../domain/budget/index.js';
import { AgentRuntimeError } from '../errors.js';
import { costOf, type PriceTable } from '../model/pricing.js';

export interface BudgetGuardOptions {
  readonly store: EventStore;
  readonly prices: PriceTable;
  readonly now?: () => string;
  /** How long a reservation holds if its call is never settled (a crash between ask and settle). Default 10 min. */
  readonly reservationTtlMs?: number;
  /** The output a call may write when its request sets no max tokens: the request is capped at it. Default 4096. */
  readonly defaultMaxOutputTokens?: number;
  /** Attempts at one ledger append when other runs got there first. Default 40. */
  readonly maxAttempts?: number;
}

/** Whose call it is: what picks the budgets, and what the ledger events carry. */
export interface BudgetedCall {
  readonly tenantId: string;
  /** The session the call is for: the ledger events' correlation, and whose budgets apply unless `sessionBudgets` is false. */
  readonly sessionId: string;
  /** False: the session's own budgets do not apply (an analysis of it, see SessionAnalyst). Default true. */
  readonly sessionBudgets?: boolean;
  readonly sessionStartedAt: string;
  readonly agent: string;
  readonly runId: string;
  readonly model: string;
  readonly traceparent: string | null;
}

/** A call's worst case: its input tokens (as estimated) and the most it may write. */
export interface WorstCase {
  readonly inputTokens: number;
  readonly maxOutputTokens: number;
}

export interface Reservation {
  readonly budget: BudgetInPeriod;
  readonly reservationId: string;
}

/**
 * Holds model calls to the tenant's budgets. Before a call, its worst case is reserved on the
 * ledger of every budget that applies (the tenant's, its agent's, its session's), one after the
 * other; if one refuses, those already reserved are released and the call is refused with the
 * budget named. After the call, what it used is settled on each. Each ledger is one stream
 * appended at the version read (the shared command handler), so concurrent runs in any number of
 * processes cannot together reserve past a limit.
 */
export class BudgetGuard {
  private readonly now: () => string;
  private readonly ttlMs: number;
  readonly defaultMaxOutputTokens: number;

  constructor(private readonly options: BudgetGuardOptions) {
    this.now = options.now ?? (() => new Date().toISOString());
    this.ttlMs = options.reservationTtlMs ?? 10 * 60_000;
    this.defaultMaxOutputTokens = options.defaultMaxOutputTokens ?? 4096;
  }

  /** The budgets that apply to a call, in their current period; none when the tenant set none. */
  async budgetsFor(call: BudgetedCall): Promise<BudgetInPeriod[]> {
    let budgets: TenantBudgets = tenantBudgetsDecider.initialState();
    for await (const event of this.options.store.streamEvents(budgetStream(call.tenantId))) budgets = tenantBudgetsDecider.evolve(budgets, event);
    const now = this.now();
    return budgetsFor(budgets, { agent: call.agent, ...(call.sessionBudgets === false ? {} : { sessionId: call.sessionId }) })
      .sort((a, b) => a.budgetId.localeCompare(b.budgetId))
      .map(({ budgetId, scope, period, unit, limit }) => ({ budgetId, scope, period, unit, limit, periodStart: periodStartOf(period, now, call.sessionStartedAt) }));
  }

  /** Reserves the worst case on every budget given; throws BudgetExhausted (not retryable) naming the one that refused. */
  async reserve(call: BudgetedCall, budgets: readonly BudgetInPeriod[], worst: WorstCase): Promise<Reservation[]> {
    const reservations: Reservation[] = [];
    const now = this.now();
    const expiresAt = new Date(Date.parse(now) + this.ttlMs).toISOString();
    for (const budget of budgets) {
      const reservationId = randomUUID();
      const amount = this.amountIn(budget, call.model, { inputTokens: worst.inputTokens, outputTokens: worst.maxOutputTokens });
      try {
        await this.decide(call, { type: 'Reserve', budget, reservationId, runId: call.runId, amount, expiresAt, metadata: this.metadata(call, now) });
      } catch (error) {
        await this.release(call, reservations);
        if (isBudgetError(error, 'WouldCross')) throw new AgentRuntimeError('BudgetExhausted', `the model call was refused: ${error.message}`, { cause: error, budgetId: budget.budgetId });
        throw error;
      }
      reservations.push({ budget, reservationId });
    }
    return reservations;
  }

  /** Records what the call used on every budget it reserved on. */
  async settle(call: BudgetedCall, reservations: readonly Reservation[], usage: { readonly inputTokens: number; readonly outputTokens: number }): Promise<void> {
    const now = this.now();
    for (const { budget, reservationId } of reservations) {
      await this.decide(call, { type: 'Settle', budget, reservationId, used: this.amountIn(budget, call.model, usage), metadata: this.metadata(call, now) });
    }
  }

  /** Frees reservations of a call that was not made (or failed): settled at 0. */
  release(call: BudgetedCall, reservations: readonly Reservation[]): Promise<void> {
    return this.settle(call, reservations, { inputTokens: 0, outputTokens: 0 });
  }

  private amountIn(budget: BudgetInPeriod, model: string, usage: { readonly inputTokens: number; readonly outputTokens: number }): number {
    return budget.unit === 'tokens' ? usage.inputTokens + usage.outputTokens : roundAmount(costOf(model, usage, this.options.prices));
  }

  private async decide(call: BudgetedCall, command: LedgerCommand): Promise<void> {
    const { budget } = command;
    const stream = budgetLedgerStream(call.tenantId, budget.budgetId, budgetPeriodKey(budget.period, budget.periodStart));
    const withIds: LedgerCommand = { ...command, metadata: { ...command.metadata, eventIds: eventIdsFor(randomUUID(), maxEventsPerLedgerDecision) } };
    await handleCommand(this.options.store, stream, withIds, budgetLedgerDecider, { maxAttempts: this.options.maxAttempts ?? 40 });
  }

  private metadata(call: BudgetedCall, now: string): CommandMetadata {
    return { tenantId: call.tenantId, correlationId: call.sessionId, causationId: null, actor: { kind: 'service', id: 'agent-runtime' }, traceparent: call.traceparent, now, eventIds: [] };
  }
}

import { randomUUID } from 'node:crypto';
import {
  budgetLedgerStream,
  budgetPeriodKey,
  budgetStream,
  emptyBudgetLedger,
  evolveBudgetLedger,
  heldAt,
  periodStartOf,
  sessionStream,
  type AgentCommandMessage,
  type BudgetEvent,
  type BudgetScope,
  type BudgetTerms,
  type TopicNames,
} from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import type { Principal } from '../auth/access.guard.js';
import { commandMetadata, sendAndConfirm } from '../commands.js';
import { GatewayError } from '../errors.js';

export interface BudgetsBackend {
  readonly store: EventStore;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  readonly confirmMs?: number;
}

/** A budget with its use in the current period: settled use, and what calls under way hold. */
export interface BudgetView {
  readonly budgetId: string;
  readonly scope: BudgetScope;
  readonly period: BudgetTerms['period'];
  readonly unit: BudgetTerms['unit'];
  readonly limit: number;
  readonly periodStart: string;
  readonly used: number;
  readonly reserved: number;
  readonly updatedAt: string;
}

/**
 * The tenant's budgets. Their `budget-<tenant>` stream is owned by agent-runtime, which holds model
 * calls to them; a PUT sends SetBudget and answers once the terms are in the log. Use is read from
 * each budget's ledger for the current period (the ledgers are the budgets' own record; no read
 * model lags behind them).
 */
export class Budgets {
  constructor(
    private readonly backend: BudgetsBackend,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  async list(tenantId: string): Promise<BudgetView[]> {
    const latest = new Map<string, BudgetEvent['data'] & { updatedAt: string }>();
    for await (const event of this.backend.store.streamEvents(budgetStream(tenantId))) {
      if (event.type === 'BudgetSet') latest.set((event.data as BudgetEvent['data']).budgetId, { ...(event.data as BudgetEvent['data']), updatedAt: event.occurredAt });
    }
    const views = await Promise.all([...latest.values()].map((budget) => this.withUse(tenantId, budget)));
    return views.filter((view) => view !== undefined).sort((a, b) => a.budgetId.localeCompare(b.budgetId));
  }

  async set(caller: Principal, budgetId: string, terms: BudgetTerms): Promise<BudgetView> {
    if (terms.scope.kind === 'session' && (await this.sessionStart(caller.tenantId, terms.scope.sessionId)) === undefined) {
      throw new GatewayError('NotFound', `Your tenant has no session ${terms.scope.sessionId}.`, [{ pointer: '#/scope/sessionId', detail: 'no such session in your tenant' }]);
    }
    const current = (await this.list(caller.tenantId)).find((view) => view.budgetId === budgetId);
    if (current && sameTerms(current, terms)) return current; // the same terms again would decide nothing
    const commandId = randomUUID();
    const message: AgentCommandMessage = { commandId, command: { type: 'SetBudget', budgetId, terms, metadata: commandMetadata(caller, budgetStream(caller.tenantId), commandId) } };
    const stream = budgetStream(caller.tenantId);
    await sendAndConfirm(this.backend, {
      topic: this.backend.topics.commands('agent-runtime'),
      stream,
      message,
      notYet: `The budget was sent but is not in effect yet. GET /v1/budgets shortly to see whether it landed.`,
    }).catch(async (error: unknown) => {
      // The same terms again decide nothing, so nothing lands: the budget is already as asked.
      if ((await this.list(caller.tenantId)).some((view) => view.budgetId === budgetId && sameTerms(view, terms))) return undefined;
      throw error;
    });
    const view = (await this.list(caller.tenantId)).find((budget) => budget.budgetId === budgetId);
    if (!view) throw new GatewayError('Unavailable', 'The budget was recorded but could not be read back. GET /v1/budgets shortly.');
    return view;
  }

  private async withUse(tenantId: string, budget: BudgetEvent['data'] & { updatedAt: string }): Promise<BudgetView | undefined> {
    const now = this.now();
    const started = budget.scope.kind === 'session' ? await this.sessionStart(tenantId, budget.scope.sessionId) : undefined;
    if (budget.period === 'session' && started === undefined) return undefined;
    const periodStart = periodStartOf(budget.period, now, started);
    let ledger = emptyBudgetLedger();
    for await (const event of this.backend.store.streamEvents(budgetLedgerStream(tenantId, budget.budgetId, budgetPeriodKey(budget.period, periodStart)))) ledger = evolveBudgetLedger(ledger, event);
    const { budgetId, scope, period, unit, limit, updatedAt } = budget;
    return { budgetId, scope, period, unit, limit, periodStart, used: ledger.used, reserved: heldAt(ledger, now), updatedAt };
  }

  /** When the tenant's session started; undefined when the tenant has no such session. */
  private async sessionStart(tenantId: string, sessionId: string): Promise<string | undefined> {
    const [first] = await this.backend.store.readStream(sessionStream(sessionId), { maxCount: 1 });
    return first?.tenantId === tenantId ? first.occurredAt : undefined;
  }
}

const sameTerms = (view: BudgetView, terms: BudgetTerms): boolean => view.period === terms.period && view.unit === terms.unit && view.limit === terms.limit && JSON.stringify(view.scope) === JSON.stringify(terms.scope);

import { eventCatalog, type BudgetInPeriod, type CommandMetadata, type NewEvent } from '@agent-orchestrator/contracts';
import type { BudgetErrorCode } from './errors.js';
import { budgetLedgerDecider, maxEventsPerLedgerDecision, type LedgerCommand } from './ledger.js';

/**
 * Ledger specs read as: given these events in the budget's ledger, when the runtime sends this
 * command, then these events (type and data, each valid in the catalog and stamped from the
 * command's metadata) or this error.
 */
export function given(...history: { type: string; data: unknown }[]) {
  const ledger = history.reduce((state, event) => budgetLedgerDecider.evolve(state, { ...event, ...envelope(T0, 0) }), budgetLedgerDecider.initialState());
  return {
    when(command: LedgerCommand) {
      const run = () => budgetLedgerDecider.decide(command, ledger);
      return {
        then(...expected: { type: string; data: unknown }[]): void {
          const decided = run();
          expect(decided.map(({ type, data }) => ({ type, data }))).toEqual(expected);
          decided.forEach((event, index) => {
            expect(eventCatalog.validateNewEvent(event)).toEqual({ ok: true });
            expect(event).toMatchObject({ occurredAt: command.metadata.now, tenantId: command.metadata.tenantId, eventId: command.metadata.eventIds[index] });
          });
        },
        thenNothing(): void {
          expect(run()).toEqual([]);
        },
        thenError(code: BudgetErrorCode, message: RegExp): void {
          expect(run).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
        },
      };
    },
  };
}

export const T0 = '2026-11-29T09:00:00.000Z';
export const T10 = '2026-11-29T09:10:00.000Z';
export const runId = '3f2c9d7e-8a41-4f6b-b0c5-1d2e3f4a5b6c.step.s1.1';
export const budget: BudgetInPeriod = { budgetId: 'research-daily', scope: { kind: 'agent', agent: 'Researcher' }, period: 'day', periodStart: '2026-11-29T00:00:00.000Z', unit: 'tokens', limit: 1000 };
export const reservation = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function envelope(now: string, seed: number): Omit<NewEvent, 'type' | 'data'> {
  return { eventId: reservation(900 + seed), schemaVersion: 1, tenantId: 'acme', correlationId: 'budget-acme', causationId: null, actor: { kind: 'service', id: 'agent-runtime' }, occurredAt: now, traceparent: null };
}

const metadataAt = (now: string): CommandMetadata => ({
  tenantId: 'acme',
  correlationId: '3f2c9d7e-8a41-4f6b-b0c5-1d2e3f4a5b6c',
  causationId: null,
  actor: { kind: 'service', id: 'agent-runtime' },
  traceparent: null,
  now,
  eventIds: Array.from({ length: maxEventsPerLedgerDecision }, (_, i) => reservation(100 + i)),
});

export const command = {
  reserve: (n: number, amount: number, now = T0, expiresAt = T10): LedgerCommand => ({ type: 'Reserve', budget, reservationId: reservation(n), runId, amount, expiresAt, metadata: metadataAt(now) }),
  settle: (n: number, used: number, limit = budget.limit): LedgerCommand => ({ type: 'Settle', budget: { ...budget, limit }, reservationId: reservation(n), used, metadata: metadataAt(T0) }),
};

export const reserved = (n: number, amount: number, expiresAt = T10) => ({ type: 'BudgetReserved', data: { budgetId: budget.budgetId, reservationId: reservation(n), runId, amount, expiresAt } });
export const settled = (n: number, used: number) => ({ type: 'BudgetSettled', data: { budgetId: budget.budgetId, reservationId: reservation(n), used } });
export const crossed = (thresholdPercent: 50 | 80 | 100, used: number, limit = budget.limit) => {
  const { budgetId, scope, period, periodStart, unit } = budget;
  return { type: 'BudgetThresholdCrossed', data: { budgetId, scope, period, periodStart, unit, limit, used, thresholdPercent } };
};

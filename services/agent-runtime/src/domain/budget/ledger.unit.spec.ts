import { budgetsFor, tenantBudgetsDecider } from './budgets.js';
import { describeBudget } from './ledger.js';
import { budget, command, crossed, given, reserved, settled } from './given-when-then.js';

describe('reserving a model call against a budget', () => {
  it("reserves the call's worst case while it fits in what is left", () => {
    given().when(command.reserve(1, 400)).then(reserved(1, 400));
    given(reserved(1, 400), settled(1, 300)).when(command.reserve(2, 700)).then(reserved(2, 700));
  });

  it('refuses a call whose worst case would cross the limit, counting use and open reservations, and names the budget', () => {
    given(reserved(1, 400), settled(1, 300), reserved(2, 500))
      .when(command.reserve(3, 201))
      .thenError('WouldCross', /^budget "research-daily" \(agent Researcher, per day, in tokens\) would be crossed: 800 tokens of its 1000 tokens are used or held, and the call may take up to 201 tokens$/);
  });

  it('lets a reservation that was never settled stop holding once it expires', () => {
    given(reserved(1, 900)).when(command.reserve(2, 500, '2026-11-29T09:05:00.000Z')).thenError('WouldCross', /900 tokens of its 1000/);
    given(reserved(1, 900)).when(command.reserve(2, 500, '2026-11-29T09:10:00.000Z', '2026-11-29T09:20:00.000Z')).then(reserved(2, 500, '2026-11-29T09:20:00.000Z'));
  });

  it('decides nothing for a reservation it already holds or settled (a retried command)', () => {
    given(reserved(1, 400)).when(command.reserve(1, 400)).thenNothing();
    given(reserved(1, 400), settled(1, 10)).when(command.reserve(1, 400)).thenNothing();
  });
});

describe('settling a call', () => {
  it('records what the call used, freeing the rest of its reservation', () => {
    given(reserved(1, 400)).when(command.settle(1, 120)).then(settled(1, 120));
    given(reserved(1, 400), settled(1, 120)).when(command.reserve(2, 880)).then(reserved(2, 880));
  });

  it('records each threshold the use reaches, once: 50, 80 and 100 % of the limit', () => {
    given(reserved(1, 600)).when(command.settle(1, 499)).then(settled(1, 499));
    given(reserved(1, 600)).when(command.settle(1, 500)).then(settled(1, 500), crossed(50, 500));
    given(reserved(1, 600), settled(1, 500), crossed(50, 500), reserved(2, 500)).when(command.settle(2, 500)).then(settled(2, 500), crossed(80, 1000), crossed(100, 1000));
    given(reserved(1, 600), settled(1, 550), crossed(50, 550), reserved(2, 50)).when(command.settle(2, 50)).then(settled(2, 50));
  });

  it('does not record a threshold again in the same period, even after the limit was raised', () => {
    given(reserved(1, 900), settled(1, 900), crossed(50, 900), crossed(80, 900), reserved(2, 100)).when(command.settle(2, 50, 2000)).then(settled(2, 50));
  });

  it('settles an expired reservation all the same (the call did happen), and a settled one once', () => {
    given(reserved(1, 100, '2026-11-29T08:00:00.000Z')).when(command.settle(1, 80)).then(settled(1, 80));
    given(reserved(1, 100), settled(1, 80)).when(command.settle(1, 80)).thenNothing();
  });

  it('refuses to settle a reservation it never held', () => {
    given().when(command.settle(7, 10)).thenError('UnknownReservation', /no reservation 00000000-0000-4000-8000-000000000007/);
  });
});

describe("a tenant's budgets", () => {
  const metadata = { tenantId: 'acme', correlationId: 'budget-acme', causationId: null, actor: { kind: 'user' as const, id: 'ada' }, traceparent: null, now: '2026-11-29T08:00:00.000Z', eventIds: ['00000000-0000-4000-8000-000000000001'] };
  const terms = { scope: budget.scope, period: budget.period, unit: budget.unit, limit: 1000 };

  it('records new terms, and nothing when the terms are the ones in force', () => {
    const [set] = tenantBudgetsDecider.decide({ type: 'SetBudget', budgetId: 'research-daily', terms, metadata }, tenantBudgetsDecider.initialState());
    expect(set).toMatchObject({ type: 'BudgetSet', data: { budgetId: 'research-daily', ...terms }, occurredAt: metadata.now });
    const budgets = tenantBudgetsDecider.evolve(tenantBudgetsDecider.initialState(), set!);
    expect(tenantBudgetsDecider.decide({ type: 'SetBudget', budgetId: 'research-daily', terms, metadata }, budgets)).toEqual([]);
    expect(tenantBudgetsDecider.decide({ type: 'SetBudget', budgetId: 'research-daily', terms: { ...terms, limit: 2000 }, metadata }, budgets)).toHaveLength(1);
  });

  it("applies the tenant's budgets to every call, an agent's to its runs, a session's to its own", () => {
    const all = new Map(
      [
        { budgetId: 'tenant', scope: { kind: 'tenant' } as const, period: 'month' as const },
        { budgetId: 'researcher', scope: { kind: 'agent', agent: 'Researcher' } as const, period: 'day' as const },
        { budgetId: 'one-session', scope: { kind: 'session', sessionId: 's-1' } as const, period: 'session' as const },
      ].map((b) => [b.budgetId, { ...b, unit: 'tokens' as const, limit: 10, setAt: metadata.now }]),
    );
    expect(budgetsFor(all, { agent: 'Researcher', sessionId: 's-1' }).map((b) => b.budgetId)).toEqual(['tenant', 'researcher', 'one-session']);
    expect(budgetsFor(all, { agent: 'Executor', sessionId: 's-2' }).map((b) => b.budgetId)).toEqual(['tenant']);
    // A call of no session's run (an analysis of the session) meets the tenant's and its agent's budgets only.
    expect(budgetsFor(all, { agent: 'Researcher' }).map((b) => b.budgetId)).toEqual(['tenant', 'researcher']);
  });

  it('names a budget by its scope, period and unit', () => {
    expect(describeBudget({ ...budget, budgetId: 'monthly', scope: { kind: 'tenant' }, period: 'month', unit: 'usd' })).toBe('budget "monthly" (the tenant, per month, in USD)');
  });
});

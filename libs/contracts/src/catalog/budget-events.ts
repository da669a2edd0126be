import { z } from 'zod';
import { defineEvent, type EventOf } from './catalog.js';
import { agentNameSchema, sessionIdSchema } from './session-events.js';

/** A budget's name within its tenant, chosen by whoever sets it (`PUT /v1/budgets/{budgetId}`). */
export const budgetIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'budget ids are lower-case letters, digits, "_" and "-", at most 63, starting with a letter or digit');

/** What a budget counts: every model call of the tenant, of one agent, or of one session. */
export const budgetScopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('tenant') }),
  z.strictObject({ kind: z.literal('agent'), agent: agentNameSchema }),
  z.strictObject({ kind: z.literal('session'), sessionId: sessionIdSchema }),
]);
export type BudgetScope = z.infer<typeof budgetScopeSchema>;

export const budgetPeriods = ['day', 'month', 'session'] as const;
export type BudgetPeriod = (typeof budgetPeriods)[number];
export const budgetUnits = ['tokens', 'usd'] as const;
export type BudgetUnit = (typeof budgetUnits)[number];
export const budgetThresholds = [50, 80, 100] as const;
export type BudgetThreshold = (typeof budgetThresholds)[number];

/** A limit: whole tokens, or USD to a billionth. Bounded so sums stay exact in a double. */
const limitSchema = z.number().positive().max(1e12);
const amountSchema = z.number().min(0).max(1e12);

/**
 * What a budget is: a scope, a period (a session budget's period is its session; a tenant's or an
 * agent's is a UTC day or month) and a limit in tokens or USD.
 */
export const budgetTermsSchema = z
  .strictObject({ scope: budgetScopeSchema, period: z.enum(budgetPeriods), unit: z.enum(budgetUnits), limit: limitSchema })
  .superRefine((terms, context) => {
    if ((terms.scope.kind === 'session') !== (terms.period === 'session')) {
      context.addIssue({ code: 'custom', path: ['period'], message: 'a session budget has the period "session"; a tenant or agent budget has "day" or "month"' });
    }
    if (terms.unit === 'tokens' && !Number.isInteger(terms.limit)) context.addIssue({ code: 'custom', path: ['limit'], message: 'a token limit is a whole number' });
  });
export type BudgetTerms = z.infer<typeof budgetTermsSchema>;

/** A budget as it applies to one period: what a ledger's decisions and threshold events name. */
export interface BudgetInPeriod extends BudgetTerms {
  readonly budgetId: string;
  readonly periodStart: string;
}

/** A budget set or changed, on its tenant's `budget-<tenant>` stream (owned by agent-runtime). */
export const BudgetSet = defineEvent('BudgetSet', [{ schema: z.strictObject({ budgetId: budgetIdSchema, scope: budgetScopeSchema, period: z.enum(budgetPeriods), unit: z.enum(budgetUnits), limit: limitSchema }) }]);

/**
 * A model call's worst case held against a budget's period until it is settled or `expiresAt`
 * passes (a run that crashed between asking and settling never settles).
 */
export const BudgetReserved = defineEvent('BudgetReserved', [
  { schema: z.strictObject({ budgetId: budgetIdSchema, reservationId: z.uuid(), runId: z.string().min(1).max(300), amount: amountSchema, expiresAt: z.iso.datetime() }) },
]);

/** What the call really used; its reservation no longer holds anything. 0 when the call never happened. */
export const BudgetSettled = defineEvent('BudgetSettled', [{ schema: z.strictObject({ budgetId: budgetIdSchema, reservationId: z.uuid(), used: amountSchema }) }]);

/** A budget's use in one period reached a threshold of its limit; recorded once per budget, period and threshold. */
export const BudgetThresholdCrossed = defineEvent('BudgetThresholdCrossed', [
  {
    schema: z.strictObject({
      budgetId: budgetIdSchema,
      scope: budgetScopeSchema,
      period: z.enum(budgetPeriods),
      periodStart: z.iso.datetime(),
      unit: z.enum(budgetUnits),
      limit: limitSchema,
      used: amountSchema,
      thresholdPercent: z.union([z.literal(50), z.literal(80), z.literal(100)]),
    }),
  },
]);

export const budgetEvents = [BudgetSet] as const;
export const budgetLedgerEvents = [BudgetReserved, BudgetSettled, BudgetThresholdCrossed] as const;
export type BudgetEvent = EventOf<(typeof budgetEvents)[number]>;
export type BudgetLedgerEvent = EventOf<(typeof budgetLedgerEvents)[number]>;

/**
 * The start of the period a budget counts at `now` (UTC): the day's or the month's first instant,
 * or, for a session budget, the instant the session started.
 */
export function periodStartOf(period: BudgetPeriod, now: string, sessionStartedAt?: string): string {
  const at = new Date(now);
  switch (period) {
    case 'day':
      return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate())).toISOString();
    case 'month':
      return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)).toISOString();
    case 'session':
      if (sessionStartedAt === undefined) throw new Error('a session budget counts from its session start, which was not given');
      return new Date(sessionStartedAt).toISOString();
    default: {
      const unreachable: never = period;
      return unreachable;
    }
  }
}

/** The ledger of one budget in one period: `day`/`month` ledgers are named by the period's date, a session's by `session`. */
export function budgetPeriodKey(period: BudgetPeriod, periodStart: string): string {
  return period === 'day' ? periodStart.slice(0, 10) : period === 'month' ? periodStart.slice(0, 7) : 'session';
}

/** Rounds USD to a billionth so sums of many calls stay exact; tokens are whole already. */
export const roundAmount = (amount: number): number => Math.round(amount * 1e9) / 1e9;

/** Reservations and settled use of one budget in one period, folded from its ledger stream. */
export interface BudgetLedger {
  readonly used: number;
  /** Reservation id to what it holds; settled reservations are gone from here. */
  readonly open: ReadonlyMap<string, { readonly amount: number; readonly expiresAt: string }>;
  readonly settled: ReadonlySet<string>;
  readonly crossed: ReadonlySet<BudgetThreshold>;
}

export const emptyBudgetLedger = (): BudgetLedger => ({ used: 0, open: new Map(), settled: new Set(), crossed: new Set() });

export function evolveBudgetLedger(ledger: BudgetLedger, event: { readonly type: string; readonly data: unknown }): BudgetLedger {
  switch (event.type) {
    case 'BudgetReserved': {
      const { reservationId, amount, expiresAt } = event.data as EventOf<typeof BudgetReserved>['data'];
      return { ...ledger, open: new Map(ledger.open).set(reservationId, { amount, expiresAt }) };
    }
    case 'BudgetSettled': {
      const { reservationId, used } = event.data as EventOf<typeof BudgetSettled>['data'];
      const open = new Map(ledger.open);
      open.delete(reservationId);
      return { ...ledger, used: roundAmount(ledger.used + used), open, settled: new Set(ledger.settled).add(reservationId) };
    }
    case 'BudgetThresholdCrossed': {
      const { thresholdPercent } = event.data as EventOf<typeof BudgetThresholdCrossed>['data'];
      return { ...ledger, crossed: new Set(ledger.crossed).add(thresholdPercent) };
    }
    default:
      return ledger;
  }
}

/** What reservations still hold at `now`: an expired one holds nothing. */
export function heldAt(ledger: BudgetLedger, now: string): number {
  const instant = Date.parse(now);
  let held = 0;
  for (const { amount, expiresAt } of ledger.open.values()) if (Date.parse(expiresAt) > instant) held += amount;
  return roundAmount(held);
}

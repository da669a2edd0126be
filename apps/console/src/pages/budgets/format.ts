/** The parts of a budget (as GET /v1/budgets answers) the words are made from; kept here so the words test without the API's types. */
interface Budget {
  readonly scope: { readonly kind: 'tenant' } | { readonly kind: 'agent'; readonly agent: string } | { readonly kind: 'session'; readonly sessionId: string };
  readonly period: 'day' | 'month' | 'session';
  readonly periodStart: string;
  readonly unit: 'tokens' | 'usd';
  readonly limit: number;
  readonly used: number;
  readonly reserved: number;
}

/** A limit or a use in its unit: `12,500 tokens`, `$3.20` (USD to the cent, or finer below a cent). */
export function amount(value: number, unit: Budget['unit']): string {
  if (unit === 'tokens') return `${value.toLocaleString('en-US')} tokens`;
  const digits = value !== 0 && Math.abs(value) < 0.01 ? 6 : 2;
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** Whose calls a budget holds, in words. */
export function scopeWords(scope: Budget['scope']): string {
  switch (scope.kind) {
    case 'tenant':
      return 'Every model call of the tenant';
    case 'agent':
      return `Agent ${scope.agent}`;
    case 'session':
      return `Session ${scope.sessionId}`;
    default: {
      const unreachable: never = scope;
      return unreachable;
    }
  }
}

export function periodWords(budget: Pick<Budget, 'period' | 'periodStart'>): string {
  if (budget.period === 'session') return 'for the whole session';
  const start = new Date(budget.periodStart);
  return budget.period === 'day'
    ? `today (UTC, since ${start.toISOString().slice(0, 10)})`
    : `this month (UTC, since ${start.toISOString().slice(0, 10)})`;
}

/** Percent of the limit used and held, capped at 100 for the bar; the tone warns from 80 %. */
export function useOf(budget: Pick<Budget, 'used' | 'reserved' | 'limit'>): { usedPercent: number; reservedPercent: number; tone: 'teal' | 'orange' | 'red' } {
  const usedPercent = Math.min(100, (budget.used / budget.limit) * 100);
  const reservedPercent = Math.min(100 - usedPercent, (budget.reserved / budget.limit) * 100);
  const tone = usedPercent >= 100 ? 'red' : usedPercent >= 80 ? 'orange' : 'teal';
  return { usedPercent, reservedPercent, tone };
}

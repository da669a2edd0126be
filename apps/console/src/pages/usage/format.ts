/** USD as people read it: cents for ordinary sums, more digits when a sum is under a cent. */
export function usd(amount: number): string {
  if (amount === 0) return '$0.00';
  if (Math.abs(amount) < 0.01) return `$${amount.toPrecision(2)}`;
  return amount.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
}

export const tokens = (count: number): string => count.toLocaleString('en-US');

/** Seconds as the largest units that say it: 42 s, 3 min, 2 h 5 min, 3 d. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** A UTC day, YYYY-MM-DD, `days` before today. */
export function dayBefore(days: number, today = new Date()): string {
  return new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - days)).toISOString().slice(0, 10);
}

export const groupingLabels = { day: 'Day', agent: 'Agent', model: 'Model', tool: 'Tool', session: 'Session', tenant: 'Tenant' } as const;

/** "1 call", "3 calls". */
export const counted = (count: number, one: string, many = `${one}s`): string => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;

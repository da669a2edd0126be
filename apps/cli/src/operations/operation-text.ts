import type { OperationRecord } from './operation-client.js';

/** The dry run's counts, one line each, largest first. */
export function describeCounts(counts: OperationRecord['counts']): string[] {
  const line = (what: string, tally: Record<string, number>) => {
    const entries = Object.entries(tally).sort((a, b) => b[1] - a[1]);
    return entries.length === 0 ? [] : [`by ${what}: ${entries.map(([key, n]) => `${key} ${n}`).join(', ')}`];
  };
  return [...line('consumer', counts.byConsumer), ...line('code', counts.byCode), ...line('tool', counts.byTool), ...line('tenant', counts.byTenant)];
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

import { usageTable, type UsageReport } from './usage-command.js';

describe('ao usage as text', () => {
  it('lists each group costliest first with numbers aligned right, a call without a tool named so, and the total', () => {
    const report: UsageReport = {
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
      groupBy: 'tool',
      rows: [
        { key: 'crm__updateCustomer', calls: 12, inputTokens: 120_000, outputTokens: 8000, costUsd: 1.5 },
        { key: null, calls: 3, inputTokens: 900, outputTokens: 100, costUsd: 0.0021 },
      ],
      totals: { calls: 15, inputTokens: 120_900, outputTokens: 8100, costUsd: 1.5021 },
      truncated: true,
    };
    expect(usageTable(report).split('\n')).toEqual([
      '2026-11-01T00:00:00.000Z to 2026-12-01T00:00:00.000Z',
      'TOOL                 CALLS   INPUT  OUTPUT       COST',
      'crm__updateCustomer     12  120000    8000      $1.50',
      '(no tool)                3     900     100  $0.002100',
      'TOTAL                   15  120900    8100      $1.50',
      '(the costliest 2 groups; the total counts them all)',
    ]);
  });
});
